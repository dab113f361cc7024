"""Code changes proposed in docs/performance.md, previewed without editing bot/.

Variants with the `preview` lever point their endpoints.yml at
`bench.preview.PreviewNLG` instead of `bot.dialogue.nlg.ContentNLG`. Rasa
imports this module and builds the NLG while it loads the model, before the
server answers; that is where both changes take effect, so the proposals are
measured by the same command as everything else. Delete this module once the
changes are in bot/ (docs/performance.md, "Proposals", says where).

1. Rasa 3.6 checks every action-server reply with jsonschema.validate(),
   which first re-checks Rasa's large events schema against the JSON-Schema
   meta-schema, on every call. py-spy shows that as most of the time of a
   turn that runs a custom action (the disclaimer at session start, each
   callback-form turn): about 25 ms of CPU per call on an idle core, over
   100 ms on a busy one. A validator built once does the same validation
   (same schema, same errors) in about 1-3 ms.
2. The input guard's language detector (lingua, high-accuracy mode) loads
   its n-gram models on first use: about 2 s of CPU and 290 MiB, inside the
   first visitor turn that needs it, while every other visitor's turn waits
   on the same event loop. Loading them while the model loads moves that
   stall to start-up, before the health endpoint answers.
3. Only with BENCH_PREVIEW_IN_PROCESS=1 (the `in-process` lever): the
   session-start disclaimer and the callback form's questions are rendered
   inside the Rasa server instead of by the action server, producing the
   same events (actions/session.py and actions/callback.py's _AskAction only
   utter a messages.yml response). Under load every action-server call is an
   await that sends the turn to the back of the event loop's queue, so these
   round trips, not their CPU, make session-start and form turns the slow
   tail. This previews the effect of the change; how the project should make
   it (docs/performance.md) needs no monkey-patching.
"""
from __future__ import annotations

import os
from typing import Any, Dict, List

import jsonschema
from rasa.core.actions import action as rasa_actions
from rasa.core.actions.action import ActionBotResponse, ActionSessionStart, RemoteAction, create_bot_utterance
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted

from bot.dialogue.nlg import ContentNLG
from bot.safety import input_check

_SCHEMA = RemoteAction.action_response_format_spec()
_VALIDATOR = jsonschema.validators.validator_for(_SCHEMA)(_SCHEMA)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with a validator built once.
    jsonschema.validate() raises the best-matching error; so does this."""
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += (". Failed to validate Action server response from API, make sure your "
                          "response from the Action endpoint is valid.")
        raise error
    return True


RemoteAction._validate_action_result = _validate_action_result


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


if os.environ.get("BENCH_PREVIEW_IN_PROCESS") == "1":
    rasa_actions.action_for_name_or_text = _in_process_action_for_name_or_text


def _preload_language_models() -> None:
    """Any text that reaches the detector makes lingua load all its models."""
    input_check._detect("preloading the language models at start-up")


class PreviewNLG(ContentNLG):
    """ContentNLG, unchanged, built after the language models are loaded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _preload_language_models()
        super().__init__(*args, **kwargs)
