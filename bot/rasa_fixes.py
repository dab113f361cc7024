"""Fixes for Rasa 3.6 itself, installed when the Rasa server loads our NLG.

Rasa 3.6 checks every action-server reply with jsonschema.validate(), which
first re-checks Rasa's large events schema against the JSON-Schema
meta-schema on every call. py-spy shows that as most of the CPU of a turn
that runs a custom action (the disclaimer at session start, each
callback-form turn): about 25 ms on an idle core, over 100 ms under load
(docs/performance.md). A validator built once runs the same checks against
the same schema and raises the same errors, in about 1-3 ms.
"""
from __future__ import annotations

from typing import Any, Dict

import jsonschema
from rasa.core.actions.action import RemoteAction

_SCHEMA = RemoteAction.action_response_format_spec()
_VALIDATOR = jsonschema.validators.validator_for(_SCHEMA)(_SCHEMA)
_HINT = (". Failed to validate Action server response from API, make sure your "
         "response from the Action endpoint is valid.")


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the validator built once."""
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(result))
    if error is not None:
        error.message += _HINT
        raise error
    return True


def install() -> None:
    """Idempotent: the NLG may be built more than once per process."""
    RemoteAction._validate_action_result = _validate_action_result
