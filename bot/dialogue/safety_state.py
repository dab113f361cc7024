"""What the conversation so far says about safety, read from the tracker.

The safety policy and the NLG both need these facts; reading them in one
place keeps the two in step. Nothing here decides anything: the decision
for a message is made once, by bot.safety.decision, and stored on the
message.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue import names
from bot.safety.decision import NO_DECISION, PARSE_DATA_KEY, SafetyDecision


def decision_of(tracker: DialogueStateTracker) -> SafetyDecision:
    """The safety decision stored on the visitor's latest message."""
    message = tracker.latest_message
    if message is None:
        return NO_DECISION
    return SafetyDecision.from_dict(message.parse_data.get(PARSE_DATA_KEY))


def language_of(tracker: DialogueStateTracker) -> str:
    """The visitor's language: of their latest typed message.

    A tapped button ("/deny" from "No, no estoy a salvo") says nothing about
    language, so it keeps the language of what they last typed.
    """
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered) and not (event.text or "").startswith("/"):
            return SafetyDecision.from_dict(event.parse_data.get(PARSE_DATA_KEY)).language
    return "en"


def input_problem_of(tracker: DialogueStateTracker) -> Optional[str]:
    message = tracker.latest_message
    return message.parse_data.get("input_problem") if message else None


def _custom(event: BotUttered) -> Dict[str, Any]:
    return (event.data or {}).get("custom") or {}


def _before_latest_message(tracker: DialogueStateTracker) -> Iterator[Any]:
    """The events before the visitor's latest message, newest first."""
    events = reversed(tracker.events)
    for event in events:
        if isinstance(event, UserUttered):
            break
    yield from events


# Variants of the crisis kind that answer "Are you safe right now?" rather
# than reply to a crisis.
SAFETY_ANSWER_VARIANTS = frozenset({names.VARIANT_SAFE, names.VARIANT_NOT_SAFE})
EMERGENCY_VARIANTS = frozenset({names.VARIANT_EMERGENCY, names.VARIANT_EMERGENCY_MODE})


def _crisis_variants_before_latest_message(tracker: DialogueStateTracker) -> Iterator[Optional[str]]:
    """custom.variant of each crisis-kind message before the latest visitor message, newest first."""
    for event in _before_latest_message(tracker):
        if isinstance(event, BotUttered) and _custom(event).get("kind") == names.KIND_CRISIS:
            yield _custom(event).get("variant")


def crisis_replies_before_latest_message(tracker: DialogueStateTracker) -> int:
    """How many crisis-kind messages were sent before the visitor's latest message.

    One or more means the conversation is in crisis mode.
    """
    return sum(1 for _ in _crisis_variants_before_latest_message(tracker))


def last_crisis_reply_was_emergency(tracker: DialogueStateTracker) -> bool:
    """The latest crisis reply before this message was about a medical emergency.

    Then a later message that gets a crisis-mode reply gets the emergency one
    (911, stay with the person), not questions about the visitor's own safety:
    "should i drive him to the ER or call" after chest pain needs 911.
    """
    for variant in _crisis_variants_before_latest_message(tracker):
        if variant not in SAFETY_ANSWER_VARIANTS:
            return variant in EMERGENCY_VARIANTS
    return False


def last_crisis_variant(tracker: DialogueStateTracker) -> Optional[str]:
    """custom.variant of the latest crisis-kind message before this message
    ("safe" after "yes, I'm safe"; None for the first, full crisis reply)."""
    return next(_crisis_variants_before_latest_message(tracker), None)


def said_safe_since_crisis_reply(tracker: DialogueStateTracker) -> bool:
    """The visitor said they are safe, and no crisis reply came after.

    Said by tapping or typing "yes" to "Are you safe right now?" (the reply
    to it is the `safe` variant), or in their own words in a message with
    nothing else of concern, since the last crisis reply, this one included
    ("no no, i'm not suicidal lol": the decision's `says_safe`), where own
    words count (typed_statement_counts).
    """
    if last_crisis_variant(tracker) == names.VARIANT_SAFE:
        return True
    if not typed_statement_counts(tracker):
        return False
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and _custom(event).get("kind") == names.KIND_CRISIS:
            return False
        if isinstance(event, UserUttered) and \
                SafetyDecision.from_dict(event.parse_data.get(PARSE_DATA_KEY)).only_says_safe:
            return True
    return False


def typed_statement_counts(tracker: DialogueStateTracker) -> bool:
    """Whether "i'm safe" in the visitor's own words may count as the button.

    Not after the not-safe reply ("Please call 911 now"), nor once it was
    already said, nor after an emergency reply: "i'm safe. can he sleep it
    off?" says nothing about the person in danger (independent review).
    """
    if last_crisis_variant(tracker) in SAFETY_ANSWER_VARIANTS:
        return False
    return not last_crisis_reply_was_emergency(tracker)


def last_text_of_kind(tracker: DialogueStateTracker, kinds: frozenset) -> Optional[str]:
    """The text of the assistant's last message of one of these kinds."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and _custom(event).get("kind") in kinds:
            return event.text
    return None


def last_bot_variant(tracker: DialogueStateTracker) -> Optional[str]:
    """custom.variant of the assistant's last message before the latest visitor message."""
    for event in _before_latest_message(tracker):
        if isinstance(event, BotUttered):
            return _custom(event).get("variant")
    return None


def previous_bot_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The last action before the visitor's latest message, ignoring action_listen."""
    for event in _before_latest_message(tracker):
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None


def answered_latest_message(tracker: DialogueStateTracker) -> bool:
    """True once any action other than listening ran after the latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return True
    return False
