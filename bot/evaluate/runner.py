"""Cases and conversations through the trained model, the real policies, the
NLG and a real action server."""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any, Dict, List, Sequence

from bot.services import action_server, free_port
from bot.stack import rasa_env

Replies = List[Dict[str, Any]]


async def _load_agent(model: Path, action_url: str):  # noqa: ANN202
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.log_utils import configure_structlog

    # Quiet: the evaluation prints its own report.
    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)
    endpoints = AvailableEndpoints(
        action=EndpointConfig(url=action_url, token=rasa_env()["ACTION_SERVER_TOKEN"]),
        nlg=EndpointConfig(type="bot.dialogue.nlg.ContentNLG"),
    )
    agent = await load_agent(model_path=str(model), endpoints=endpoints)
    # Rasa logs a model it cannot load and returns an agent that answers
    # nothing: every case would then be scored "none" and the figures would
    # look like a real, very bad, run (a worktree without build/spacy did
    # exactly that, eighteenth round).
    if not agent.is_ready():
        raise ModelNotLoaded(f"could not load the model {model}: see the error above")
    return agent


class ModelNotLoaded(RuntimeError):
    """The evaluation has no model to ask: its figures would mean nothing."""


async def _conversation(agent, texts: Sequence[str]) -> List[Replies]:  # noqa: ANN001
    """One conversation: the replies to each text in turn."""
    from rasa.core.channels.channel import UserMessage

    from bot.web.channel import WholeMessageCollector

    sender = f"eval-{uuid.uuid4().hex}"
    replies = []
    for text in texts:
        # The widget's own collector: each message whole, as visitors get it.
        collector = WholeMessageCollector()
        await agent.handle_message(UserMessage(text, collector, sender))
        replies.append(collector.messages)
    return replies


async def _run(model: Path, action_url: str, conversations: Sequence[Sequence[str]]) -> List[List[Replies]]:
    agent = await _load_agent(model, action_url)
    return [await _conversation(agent, texts) for texts in conversations]


def run_conversations(model: Path, conversations: Sequence[Sequence[str]],
                      log: Path | None = None) -> List[List[Replies]]:
    """Bot messages for every turn of every conversation.

    Starts and stops its own action server, which writes crisis flags to a
    throwaway database, so an evaluation never fills the clinic's real queue.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        previous = os.environ.get("DATABASE_URL")
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(scratch) / 'evaluation.db'}"
        try:
            with action_server(port, log=log):
                return asyncio.run(_run(model, f"http://127.0.0.1:{port}/webhook", conversations))
        finally:
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous


def run_cases(model: Path, texts: Sequence[str], log: Path | None = None) -> List[Replies]:
    """Bot messages for each text, each as a fresh conversation."""
    return [turns[0] for turns in run_conversations(model, [[t] for t in texts], log)]
