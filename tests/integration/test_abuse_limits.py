"""Issue #11's abuse limits on a stack running the defaults a clinic ships with.

Every request comes from loopback, so the whole module is one client. The
tests run in file order on one stack: the per-conversation limit first (one
conversation), then sixty crisis conversations, which use up the client's
conversation allowance.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from bot.handoff import store
from tests.integration.helpers import kinds, new_sender, post

CRISIS_MESSAGES = ("i want to kill myself", "I'm going to end my life tonight",
                   "i dont want to be alive anymore", "thinking about suicide a lot")


class _Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def limited(model_path: Path, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config):
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conftest = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).parents[1] / "conftest.py"))
    env = {"RATE_LIMITS": "on", "STAFF_WEBHOOK_URL": f"http://127.0.0.1:{server.server_port}/hook"}
    try:
        with conftest.start_stack(model_path, tmp_path_factory.mktemp("limited"), env) as stack:
            yield stack
    finally:
        server.shutdown()


def test_one_conversation_is_slowed_down_but_still_gets_the_crisis_reply(limited) -> None:
    sender = new_sender()
    statuses = [post(limited.webhook, {"sender": sender, "message": f"what does it cost {n}"})[0]
                for n in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429
    status, reply = post(limited.webhook, {"sender": sender, "message": "what about insurance"})
    assert status == 429 and "988" in reply["error"] and reply["retry_after"] > 0
    status, replies = post(limited.webhook, {"sender": sender, "message": "i want to kill myself"})
    assert status == 200 and kinds(replies)[0] == "crisis"


def test_sixty_crisis_conversations_from_one_client_each_get_the_crisis_reply(limited) -> None:
    for n in range(60):
        status, replies = post(limited.webhook, {"sender": new_sender(),
                                                 "message": CRISIS_MESSAGES[n % len(CRISIS_MESSAGES)]})
        assert status == 200, (n, replies)
        crisis = [r["text"] for r in replies if (r.get("custom") or {}).get("kind") == "crisis"]
        assert crisis, (n, replies)
        assert all(resource in crisis[0] for resource in ("911", "988", "741741"))
    # One urgent entry and one webhook call for this client, with every conversation in it
    # (60 here, plus the first test's when the module runs whole).
    [flag] = [h for h in store.queue(limited.database_url) if h.kind == "crisis_flag"]
    assert len(_Webhook.received) == 1
    assert len(store.folded_conversations(limited.database_url, flag.reference)) in (59, 60)
    # An ordinary question from a new conversation is now over the client's limit.
    status, reply = post(limited.webhook, {"sender": new_sender(), "message": "how much does it cost"})
    assert status == 429 and "911" in reply["error"]
