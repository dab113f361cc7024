"""The built-once validator must accept and reject exactly what Rasa's own does;
a failing tracker store fails the turn."""
from __future__ import annotations

import asyncio

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

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


class _BrokenStore(InMemoryTrackerStore):
    """A store whose database is down."""

    async def retrieve(self, sender_id):  # noqa: ANN001, ANN201
        raise ConnectionError("the database is down")

    async def retrieve_full_tracker(self, sender_id):  # noqa: ANN001, ANN201
        raise ConnectionError("the database is down")

    async def save(self, tracker):  # noqa: ANN001, ANN201
        raise ConnectionError("the database is down")


def test_a_failing_tracker_store_fails_the_turn_instead_of_starting_a_fresh_conversation() -> None:
    rasa_fixes.install()
    store = FailSafeTrackerStore(_BrokenStore(Domain.empty()))
    with pytest.raises(ConnectionError):
        asyncio.run(store.retrieve("visitor-1234"))
    with pytest.raises(ConnectionError):
        asyncio.run(store.retrieve_full_tracker("visitor-1234"))
    with pytest.raises(ConnectionError):
        asyncio.run(store.save(DialogueStateTracker("visitor-1234", [])))
    # Nothing was kept in this process's memory instead.
    assert store._fallback_tracker_store is None
