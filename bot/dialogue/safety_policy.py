"""The policy that turns each message's safety decision into the reply.

It reads the one `SafetyDecision` stored on the visitor's latest message
(bot/safety/decision.py) and the state of the conversation, and predicts:

- crisis or emergency: the crisis reply, then the staff flag; it closes any
  open form in the same step (inside a form, Rasa's RulePolicy predicts the
  form's next step as a "no user" prediction that outranks every rule, so
  this policy makes the same kind of prediction with a higher priority);
- crisis mode: after the first crisis reply, every later message gets a
  crisis-mode reply (never an unrelated answer or "pick a topic"), except a
  request for staff, the callback form the visitor asked for, and a clear,
  benign question once the visitor has said they are safe;
- "yes"/"no" after "Are you safe right now?", "no, I'm not suicidal" (in
  the visitor's own words) in crisis mode, and "I'm not okay" after a
  safety check-in;
- possible risk and distress: the check-in or the distress reply.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue import safety_state
from bot.dialogue.fixed_policy import FixedPolicy
from bot.dialogue.names import (ACTION_FLAG_CRISIS, CALLBACK_FORM, CRISIS_SLOT, UTTER_CRISIS,
                                UTTER_CRISIS_NOT_SAFE, UTTER_CRISIS_SAFE, UTTER_FALLBACK)
from bot.safety import decision as safety

ACTION_FLAG = ACTION_FLAG_CRISIS
UTTER_SAFE = UTTER_CRISIS_SAFE
UTTER_NOT_SAFE = UTTER_CRISIS_NOT_SAFE
# What a visitor may do in crisis mode without getting the crisis-mode reply.
CRISIS_MODE_INTENTS = frozenset({"request_human"})
SAFETY_PRIORITY = 6  # above RulePolicy (4)

# What follows each safety action, so the whole sequence is deterministic.
NEXT_ACTION = {
    UTTER_CRISIS: ACTION_FLAG,
    ACTION_FLAG: ACTION_LISTEN_NAME,
    UTTER_SAFE: ACTION_LISTEN_NAME,
    UTTER_NOT_SAFE: ACTION_FLAG,
}
Prediction = Tuple[Optional[str], List[Any]]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class SafetyPolicy(FixedPolicy):
    overrides_forms = True

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": SAFETY_PRIORITY}

    def next_action(self, tracker: DialogueStateTracker) -> Prediction:
        return next_safety_action(tracker)


def next_safety_action(tracker: DialogueStateTracker) -> Prediction:
    """The safety action that must run next, with events to apply first.

    It does not require the usual "listening" state before the message: if
    the session-start action failed (action server down), the visitor in
    crisis must still get the crisis response.
    """
    last = tracker.latest_action_name
    if last in NEXT_ACTION:
        return NEXT_ACTION[last], []
    if tracker.latest_message is None or safety_state.answered_latest_message(tracker):
        return None, []
    decision = safety_state.decision_of(tracker)
    intent = tracker.latest_message.intent.get("name")
    if decision.is_risk:
        return crisis_reply(tracker)
    in_crisis_mode = bool(tracker.get_slot(CRISIS_SLOT))
    # "no no, i'm not suicidal lol" in crisis mode answers "Are you safe?"
    # like the "Yes, I'm safe" button, whatever the intent model made of its
    # "no"; with a clear question, the question is answered (with the crisis
    # resources attached by the NLG). Where own words do not count (after
    # an emergency reply, after "no, I'm not safe", or said twice), the
    # crisis-mode path below answers.
    if decision.only_says_safe and in_crisis_mode \
            and safety_state.typed_statement_counts(tracker) \
            and not may_leave_crisis_mode(tracker, decision, intent):
        return UTTER_SAFE, []
    previous = safety_state.previous_bot_action(tracker)
    # "ok, calling now" after "Please call 911 now" (the not-safe reply) is
    # not "yes, I'm safe": only a crisis reply asked that.
    asked_if_safe = previous == ACTION_FLAG and \
        safety_state.last_crisis_variant(tracker) not in safety_state.SAFETY_ANSWER_VARIANTS
    if intent in ("affirm", "deny") and asked_if_safe:
        return (UTTER_SAFE if intent == "affirm" else UTTER_NOT_SAFE), []
    # "No" to the check-in's "are you safe?" is not safe; "no, i'm not
    # suicidal" is the opposite.
    if intent == "deny" and safety_state.last_bot_variant(tracker) == "possible_crisis" \
            and not decision.only_says_safe:
        return crisis_reply(tracker)
    # Crisis mode is the slot set with the first crisis reply. (The NLG
    # counts crisis replies instead: it must tell the first from the rest,
    # and the slot is already set when the first one is rendered.)
    if in_crisis_mode and not may_leave_crisis_mode(tracker, decision, intent):
        return crisis_reply(tracker)
    if decision.kind in (safety.POSSIBLE_RISK, safety.DISTRESS):
        return UTTER_FALLBACK, []
    return None, []


def crisis_reply(tracker: DialogueStateTracker) -> Prediction:
    close_form = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)] if tracker.active_loop_name else []
    return UTTER_CRISIS, close_form + [SlotSet(CRISIS_SLOT, True)]


def may_leave_crisis_mode(tracker: DialogueStateTracker, decision: safety.SafetyDecision,
                          intent: Optional[str]) -> bool:
    """In crisis mode, what gets its ordinary reply instead of the crisis-mode one.

    Asking for staff, the callback form's own questions, and, once the
    visitor has said "yes, I'm safe" since the last crisis reply (tapped, or
    in their own words, in this message or an earlier one), a clear,
    benign question (answered with the crisis resources attached by the
    NLG). Until then a question gets the crisis-mode reply, which asks
    whether they are safe: "how much is it anyway" after "i have the pills
    here" is still a person who may be at risk, and "what do I even say if
    I text that number" is about the crisis itself. After an emergency
    reply, "I'm safe" says nothing about the person in danger, so a question
    about someone ("should I drive him to the ER or call") never gets an
    ordinary answer.
    """
    if decision.kind != safety.NONE:
        return False
    if intent in CRISIS_MODE_INTENTS or tracker.active_loop_name == CALLBACK_FORM:
        return True
    if not (decision.clear_question and safety_state.said_safe_since_crisis_reply(tracker)):
        return False
    return not (decision.about_a_person and safety_state.last_crisis_reply_was_emergency(tracker))
