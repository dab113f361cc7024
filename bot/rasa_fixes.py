"""Fixes for Rasa 3.6 itself, installed when the Rasa server loads our NLG.

1. A new model from the model server (bot/model_updates.py publishes one)
   is loaded by Rasa inside the event loop, so every visitor's turn would
   wait for the whole load. We load it in a worker thread and swap it in
   when it is ready: turns keep being answered by the old model meanwhile,
   and none is dropped.

2. Rasa 3.6 checks every action-server reply with jsonschema.validate(), which
first re-checks Rasa's large events schema against the JSON-Schema
meta-schema on every call. py-spy shows that as most of the CPU of a turn
that runs a custom action (the disclaimer at session start, each
callback-form turn): about 25 ms on an idle core, over 100 ms under load
(docs/performance.md). A validator built once runs the same checks against
the same schema and raises the same errors, in about 1-3 ms.

3. Rasa wraps every tracker store in a FailSafeTrackerStore that, when the
store fails (PostgreSQL down or restarting), logs the error and carries on:
`retrieve` answers "no such conversation", so the turn runs in a fresh
conversation (a visitor in crisis mode loses it, and gets the disclaimer
again), and `save` puts the result in the replica's memory, where no other
replica sees it and it is forgotten when PostgreSQL is back. We keep the
logging and raise the error instead: the turn fails at once, the widget
channel answers with its error message and the crisis line, and the
conversation is intact when the store is back (tests/cluster/).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict

import jsonschema
import rasa.core.agent as rasa_agent
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.core.actions.action import RemoteAction
from rasa.utils.common import TempDirectoryPath, get_temp_dir_name

logger = logging.getLogger(__name__)

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


async def _update_model_from_server(model_server: Any, agent: Any) -> None:
    """Rasa's own _update_model_from_server, with the load in a worker thread."""
    with TempDirectoryPath(get_temp_dir_name()) as directory:
        try:
            fingerprint = await rasa_agent._pull_model_and_fingerprint(
                model_server, agent.fingerprint, directory)
            if fingerprint:
                await asyncio.get_running_loop().run_in_executor(
                    None, agent.load_model, directory, fingerprint)
                logger.info("Now serving model %s", fingerprint)
        except Exception:  # noqa: BLE001  as Rasa: keep the model we have
            logger.exception("Failed to update the model; the previous model stays loaded.")


async def _or_raise(store: FailSafeTrackerStore, what: str, call: Any) -> Any:
    """Await a call to the real store; on failure log it and raise.

    Rasa's own handler logs "Falling back to use the InMemoryTrackerStore",
    which is exactly what no longer happens, so the log says what does.
    """
    try:
        return await call
    except Exception as error:
        logger.error("The tracker store failed to %s (%s); the turn fails, nothing is kept "
                     "in this process's memory.", what, type(error).__name__)
        if store._on_tracker_store_error is not None:
            store._on_tracker_store_error(error)
        raise


async def _retrieve_or_raise(self: FailSafeTrackerStore, sender_id: str) -> Any:
    """FailSafeTrackerStore.retrieve, raising instead of starting a fresh conversation."""
    return await _or_raise(self, "retrieve a conversation", self._tracker_store.retrieve(sender_id))


async def _retrieve_full_or_raise(self: FailSafeTrackerStore, sender_id: str) -> Any:
    """FailSafeTrackerStore.retrieve_full_tracker, raising as retrieve does (bot/web/dedup.py uses it)."""
    return await _or_raise(self, "retrieve a conversation",
                           self._tracker_store.retrieve_full_tracker(sender_id))


async def _save_or_raise(self: FailSafeTrackerStore, tracker: Any) -> None:
    """FailSafeTrackerStore.save, raising instead of keeping the turn in this process's memory."""
    await _or_raise(self, "save a conversation", self._tracker_store.save(tracker))


def install() -> None:
    """Idempotent: the NLG may be built more than once per process."""
    RemoteAction._validate_action_result = _validate_action_result
    rasa_agent._update_model_from_server = _update_model_from_server
    FailSafeTrackerStore.retrieve = _retrieve_or_raise
    FailSafeTrackerStore.retrieve_full_tracker = _retrieve_full_or_raise
    FailSafeTrackerStore.save = _save_or_raise
