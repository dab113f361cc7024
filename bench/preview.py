"""A code change proposed in docs/performance.md, previewed without editing bot/.

Variants with the `in-process` lever point their endpoints.yml at
`bench.preview.PreviewNLG` instead of `bot.dialogue.nlg.ContentNLG`; Rasa
imports this module while it loads the model, which is where the change
takes effect, so the proposal is measured by the same command as everything
else.

The change: the session-start disclaimer and the callback form's questions
are rendered inside the Rasa server instead of by the action server,
producing the same events (actions/session.py and actions/callback.py's
_AskAction only utter a messages.yml response). Under load every
action-server call is an await that sends the turn to the back of the event
loop's queue, so these round trips, not their CPU, make session-start and
form turns the slow tail. This previews the effect by monkey-patching Rasa's
action lookup; docs/performance.md says how the project would make it for
real, and what it costs.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.core.actions import action as rasa_actions
from rasa.core.actions.action import ActionBotResponse, ActionSessionStart, create_bot_utterance
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted

from bot.dialogue.nlg import ContentNLG


class _DisclaimerSessionStart(ActionSessionStart):
    """actions/session.py's ActionSessionStart, run inside the Rasa server."""

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        message = await nlg.generate("utter_disclaimer", tracker, output_channel.name())
        events: List[Event] = []
        if message:
            message["utter_action"] = "utter_disclaimer"
            events.append(create_bot_utterance(message))
        return events + [SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]


IN_PROCESS_ASKS = {f"action_ask_{slot}": f"utter_ask_{slot}" for slot in
                   ("callback_name", "callback_contact", "callback_time", "callback_consent")}
_action_for_name_or_text = rasa_actions.action_for_name_or_text


def _in_process_action_for_name_or_text(name: str, domain: Any, action_endpoint: Any) -> Any:
    if name == _DisclaimerSessionStart().name():
        return _DisclaimerSessionStart()
    if name in IN_PROCESS_ASKS:
        return ActionBotResponse(IN_PROCESS_ASKS[name])
    return _action_for_name_or_text(name, domain, action_endpoint)


rasa_actions.action_for_name_or_text = _in_process_action_for_name_or_text


class PreviewNLG(ContentNLG):
    """ContentNLG, unchanged: naming it in endpoints.yml is what imports this module."""
