"""Code changes proposed in docs/performance.md, previewed without editing bot/.

The benchmark can point a stack's endpoints.yml at `bench.preview.PreviewNLG`
instead of `bot.dialogue.nlg.ContentNLG` (variants with preview=True), so the
proposals are measured by the same command as everything else. Both changes
belong in bot/dialogue/nlg.py; delete this module once they are there.

1. Messages sent by custom actions (messages.yml: the disclaimer, the callback
   form's questions) must survive Rasa's Agent.load_model, which replaces
   `nlg.responses` with the domain's responses for every templated NLG. As
   shipped, those messages are silently dropped: the disclaimer never shows
   and every callback-form turn answers with nothing.
2. Rasa 3.6 validates every action-server reply with jsonschema.validate(),
   which re-checks the large events schema against its meta-schema on every
   call: about 25 ms of CPU per custom-action call on this machine (over
   100 ms when busy), most of a session-start or form turn. A validator built
   once does the same validation in a fraction of that.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import jsonschema
from rasa.core.actions.action import RemoteAction

from bot.dialogue import messages
from bot.dialogue.nlg import ContentNLG
from bot.settings import get_settings

_ACTION_RESULT_VALIDATOR = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())(
    RemoteAction.action_response_format_spec()
)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the validator built once;
    same errors (jsonschema.validate raises the best match too)."""
    error = jsonschema.exceptions.best_match(_ACTION_RESULT_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += ". Failed to validate Action server response from API."
        raise error
    return True


RemoteAction._validate_action_result = _validate_action_result


class PreviewNLG(ContentNLG):
    """ContentNLG whose messages.yml responses cannot be overwritten."""

    def __init__(self, endpoint_config: Optional[Any] = None, domain: Any = None) -> None:
        self._action_messages = messages.load_action_messages(get_settings().root / messages.ACTION_MESSAGES_FILE)
        super().__init__(endpoint_config, domain)

    @property
    def responses(self) -> Dict[str, Any]:
        return self._responses

    @responses.setter
    def responses(self, value: Dict[str, Any]) -> None:
        self._responses = {**(value or {}), **self._action_messages}
