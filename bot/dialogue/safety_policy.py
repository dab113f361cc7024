"""A policy that makes the crisis response unconditional.

Rules alone cannot guarantee it: inside an active form, Rasa's RulePolicy
predicts the form's next step as a "no user" prediction, which outranks every
rule. This policy makes the same kind of prediction with a higher priority,
so a crisis message gets the crisis response whatever the conversation state,
and it closes any open form in the same step.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.fixed_policy import FixedPolicy

CRISIS_INTENT = "crisis"
UTTER_CRISIS = "utter_crisis"
ACTION_FLAG = "action_flag_crisis"
UTTER_SAFE = "utter_crisis_safe"
UTTER_NOT_SAFE = "utter_crisis_not_safe"
CRISIS_SLOT = "crisis_flagged"
SAFETY_PRIORITY = 6  # above RulePolicy (4)

# What follows each safety action, so the whole sequence is deterministic.
NEXT_ACTION = {
    UTTER_CRISIS: ACTION_FLAG,
    ACTION_FLAG: ACTION_LISTEN_NAME,
    UTTER_SAFE: ACTION_LISTEN_NAME,
    UTTER_NOT_SAFE: ACTION_FLAG,
}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class SafetyPolicy(FixedPolicy):
    overrides_forms = True

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": SAFETY_PRIORITY}

    def next_action(self, tracker: DialogueStateTracker) -> Tuple[Optional[str], List[Any]]:
        return next_safety_action(tracker)


def next_safety_action(tracker: DialogueStateTracker) -> Tuple[Optional[str], List[Any]]:
    """The safety action that must run next, with events to apply first.

    It does not require the usual "listening" state before the message: if
    the session-start action failed (action server down), the visitor in
    crisis must still get the crisis response.
    """
    last = tracker.latest_action_name
    if last in NEXT_ACTION:
        return NEXT_ACTION[last], []
    if tracker.latest_message is None or _answered_latest_message(tracker):
        return None, []
    intent = tracker.latest_message.intent.get("name")
    if intent == CRISIS_INTENT:
        close_form = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)] if tracker.active_loop_name else []
        return UTTER_CRISIS, close_form + [SlotSet(CRISIS_SLOT, True)]
    if intent in ("affirm", "deny") and _previous_bot_action(tracker) == ACTION_FLAG:
        return (UTTER_SAFE if intent == "affirm" else UTTER_NOT_SAFE), []
    return None, []


def _answered_latest_message(tracker: DialogueStateTracker) -> bool:
    """True once any action other than listening ran after the latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return True
    return False


def _previous_bot_action(tracker: DialogueStateTracker) -> Optional[str]:
    """The last action before the visitor's latest message, ignoring action_listen."""
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            seen_user = True
        elif seen_user and isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event.action_name
    return None
