"""A model pulled from the model server loads while conversations go on (bot/rasa_fixes.py, fix 1).

Rasa 3.6 loads a pulled model inside the event loop, so nobody would be
answered while it loads (seconds; tens of seconds on a busy machine). The
browser test (tests/browser/test_model_update.py) sees that only as a turn
that took too long; here it is checked directly. The trained model is served
by a real HTTP server on loopback and the real agent pulls it; the loader is
wrapped so that it cannot finish until the event loop has answered a turn
with the old model, which it could never do if loading blocked the loop.
"""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
from aiohttp import web
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_fixes

WAIT_S = 120.0  # a deadlock guard, not a speed requirement


async def serving(body: bytes, etag: str, test: Callable[[str], Awaitable[None]]) -> None:
    """Serve `body` as the model server does (ETag, If-None-Match) while `test(url)` runs."""
    async def model(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        return web.Response(body=body, headers={"ETag": etag, "filename": "model.tar.gz"})

    app = web.Application()
    app.router.add_get("/model", model)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()  # the system picks a free port
    port = runner.addresses[0][1]
    try:
        await test(f"http://127.0.0.1:{port}/model")
    finally:
        await runner.cleanup()


@pytest.fixture()
def agent(model_path: Path) -> Agent:
    """A fresh agent per test: the first test switches its model."""
    return Agent.load(model_path)


def test_turns_are_answered_while_the_new_model_loads(agent: Agent, model_path: Path) -> None:
    old_processor = agent.processor
    answered_during_load = threading.Event()
    seen: dict[str, Any] = {}

    load_model = agent.load_model

    def watched_load_model(directory: str, fingerprint: str) -> None:
        seen["thread"] = threading.current_thread()
        # The event loop must answer a turn before this load may go on.
        assert answered_during_load.wait(WAIT_S), "the event loop was blocked while the model loaded"
        load_model(directory, fingerprint)

    agent.load_model = watched_load_model  # type: ignore[method-assign]

    async def scenario(url: str) -> None:
        update = asyncio.create_task(rasa_fixes._update_model_from_server(EndpointConfig(url), agent))
        while "thread" not in seen:
            await asyncio.sleep(0.01)
        parse = await agent.parse_message("what are the side effects")
        seen["parse_during_load"] = parse
        seen["processor_during_load"] = agent.processor
        answered_during_load.set()
        await asyncio.wait_for(update, WAIT_S)

    asyncio.run(serving(model_path.read_bytes(), "new-model", scenario))

    assert seen["thread"] is not threading.main_thread()
    assert seen["processor_during_load"] is old_processor, "the old model answers until the new one is ready"
    assert seen["parse_during_load"]["intent"]["name"]
    assert agent.fingerprint == "new-model"
    assert agent.processor is not old_processor
    assert agent.domain is agent.processor.domain
    assert asyncio.run(agent.parse_message("what are the side effects"))["intent"]["name"]


def test_a_broken_model_leaves_the_current_one_answering(agent: Agent) -> None:
    before = (agent.processor, agent.fingerprint)

    async def scenario(url: str) -> None:
        await rasa_fixes._update_model_from_server(EndpointConfig(url), agent)

    asyncio.run(serving(b"not a model archive", "broken-model", scenario))

    assert (agent.processor, agent.fingerprint) == before
    assert asyncio.run(agent.parse_message("how much does it cost"))["intent"]["name"]
