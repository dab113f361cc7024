"""A code change proposed in docs/performance.md, previewed without editing bot/.

Variants with the `preview` lever point their endpoints.yml at
`bench.preview.PreviewNLG` instead of `bot.dialogue.nlg.ContentNLG`; importing
this module applies the change inside the Rasa server, so the proposal is
measured by the same command as everything else. Delete this module once the
change is in bot/ (see docs/performance.md, "Proposals").

The change: Rasa 3.6 checks every action-server reply with
jsonschema.validate(), which first re-checks Rasa's large events schema
against the JSON-Schema meta-schema, on every call. py-spy shows that as most
of the time of a turn that runs a custom action (the disclaimer at session
start, each callback-form turn): about 25 ms of CPU per call on an idle core,
over 100 ms on a busy one. A validator built once does the same validation
(same schema, same errors) in about 1 ms.
"""
from __future__ import annotations

from typing import Any, Dict

import jsonschema
from rasa.core.actions.action import RemoteAction

from bot.dialogue.nlg import ContentNLG

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


class PreviewNLG(ContentNLG):
    """ContentNLG, unchanged: named here only so that endpoints.yml loads this module."""
