"""Each case as a fresh conversation through the trained model, the real
policies, the NLG and a real action server."""
from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import uuid
from pathlib import Path
from typing import Any, Dict, List, Sequence

from bot.services import action_server, free_port
from bot.settings import get_settings


async def _run_cases(model: Path, action_url: str, texts: Sequence[str]) -> List[List[Dict[str, Any]]]:
    from rasa.core.agent import load_agent
    from rasa.utils.log_utils import configure_structlog

    # Quiet: the evaluation prints its own report.
    logging.getLogger().setLevel(logging.WARNING)
    configure_structlog(logging.WARNING)
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    endpoints = AvailableEndpoints(
        action=EndpointConfig(url=action_url),
        nlg=EndpointConfig(type="bot.dialogue.nlg.ContentNLG"),
    )
    agent = await load_agent(model_path=str(model), endpoints=endpoints)
    replies = []
    for text in texts:
        collector = CollectingOutputChannel()
        await agent.handle_message(UserMessage(text, collector, f"eval-{uuid.uuid4().hex}"))
        replies.append(collector.messages)
    return replies


def run_cases(model: Path, texts: Sequence[str], log: Path | None = None) -> List[List[Dict[str, Any]]]:
    """Bot messages for each text; starts and stops its own action server.

    The action server writes crisis flags to a throwaway database, so an
    evaluation never fills the clinic's real queue.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(scratch) / 'evaluation.db'}"
        try:
            with action_server(port, log=log):
                return asyncio.run(_run_cases(model, f"http://127.0.0.1:{port}/webhook", texts))
        finally:
            os.environ.pop("DATABASE_URL", None)
