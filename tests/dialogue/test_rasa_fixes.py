"""The built-once validator must accept and reject exactly what Rasa's own does."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_fixes

GOOD = {"events": [{"event": "slot", "name": "callback_name", "value": "Ana"}],
        "responses": [{"response": "utter_ask_callback_time"}]}
BAD = [{"events": "not a list"}, {"events": [{"name": "x"}]}, {"events": [{"event": "slot"}]}, {"responses": "x"}]


def _original(result: dict) -> None:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())


def test_valid_reply_passes() -> None:
    _original(GOOD)
    assert rasa_fixes._validate_action_result(None, GOOD) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("result", BAD)
def test_invalid_reply_raises_the_same_error(result: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        _original(result)
    with pytest.raises(jsonschema.ValidationError) as ours:
        rasa_fixes._validate_action_result(None, result)  # type: ignore[arg-type]
    assert ours.value.message.startswith(expected.value.message)


def test_install_replaces_rasas_check() -> None:
    rasa_fixes.install()
    assert RemoteAction._validate_action_result is rasa_fixes._validate_action_result
