"""Flagging a crisis conversation for staff, and notifying them."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis import ActionFlagCrisis
from bot.handoff import store
from bot.handoff.notify import notify_staff


class _Receiver(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    _Receiver.received, _Receiver.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Receiver
    server.shutdown()


def test_crisis_is_flagged_urgent_with_a_masked_transcript(load_tracker, database_url, webhook, monkeypatch) -> None:
    url, receiver = webhook
    monkeypatch.setenv("STAFF_WEBHOOK_URL", url)
    tracker = load_tracker("crisis")
    events = asyncio.run(ActionFlagCrisis().run(CollectingDispatcher(), tracker, {}))
    assert events == []
    [flag] = store.queue(database_url)
    assert flag.kind == "crisis_flag" and flag.urgent and flag.conversation_id == tracker.sender_id
    assert "202-555-0147" not in flag.transcript
    content_type, payload = receiver.received[0]
    assert content_type == "application/json"
    assert payload == {"event": "handoff_created", "reference": flag.reference,
                       "kind": "crisis_flag", "urgent": True}


def test_second_crisis_message_updates_the_same_flag_and_notifies_once(
        load_tracker, database_url, webhook, monkeypatch) -> None:
    url, receiver = webhook
    monkeypatch.setenv("STAFF_WEBHOOK_URL", url)
    tracker = load_tracker("crisis")
    for _ in range(2):
        asyncio.run(ActionFlagCrisis().run(CollectingDispatcher(), tracker, {}))
    assert len(store.queue(database_url)) == 1
    assert len(receiver.received) == 1


def _from_client(tracker, sender: str, client: str):
    tracker.sender_id = sender
    tracker.latest_message = {**tracker.latest_message, "metadata": {"client": client}}
    return tracker


def test_crisis_conversations_from_one_client_share_one_entry_and_one_webhook(
        load_tracker, database_url, webhook, monkeypatch) -> None:
    url, receiver = webhook
    monkeypatch.setenv("STAFF_WEBHOOK_URL", url)
    for n in range(12):
        tracker = _from_client(load_tracker("crisis"), f"visitor-{n:04d}", "client-a")
        asyncio.run(ActionFlagCrisis().run(CollectingDispatcher(), tracker, {}))
    [flag] = store.queue(database_url)
    assert len(receiver.received) == 1
    folded = store.folded_conversations(database_url, flag.reference)
    assert [conversation for conversation, _ in folded] == [f"visitor-{n:04d}" for n in range(1, 12)]
    assert all(transcript for _, transcript in folded), "every conversation stays readable for staff"
    # Another client is another person: its own entry and its own webhook.
    tracker = _from_client(load_tracker("crisis"), "visitor-b", "client-b")
    asyncio.run(ActionFlagCrisis().run(CollectingDispatcher(), tracker, {}))
    assert len(store.queue(database_url)) == 2 and len(receiver.received) == 2


def test_after_the_window_or_once_staff_closed_it_a_client_gets_a_new_entry(database_url) -> None:
    first = store.flag_crisis(database_url, "c1", [], client_key="k")
    assert first.new
    assert not store.flag_crisis(database_url, "c2", [], client_key="k").new
    store.update_status(database_url, first.reference, "closed", "nurse@clinic.example", "called")
    again = store.flag_crisis(database_url, "c2", [], client_key="k")
    assert again.new and again.reference != first.reference
    later = store.flag_crisis(database_url, "c3", [], client_key="k", window=dt.timedelta(0))
    assert later.new


def test_webhook_failure_is_reported_not_raised(webhook) -> None:
    url, receiver = webhook
    receiver.status = 500
    assert asyncio.run(notify_staff(url, "ABC234", "callback", False)) is False
    assert asyncio.run(notify_staff("http://127.0.0.1:9/nothing", "ABC234", "callback", False)) is False


def test_queue_puts_urgent_first_then_oldest(database_url) -> None:
    request = store.CallbackRequest("c1", "Anna", "+12025550147", "phone", "mornings", True,
                                    "request_human", False, [])
    first = store.save_callback(database_url, request)
    urgent = store.flag_crisis(database_url, "c2", []).reference
    second = store.save_callback(database_url, request)
    assert [h.reference for h in store.queue(database_url)] == [urgent, first, second]
    store.update_status(database_url, first, "closed", "nurse@clinic.example", "called back")
    assert [h.reference for h in store.queue(database_url)] == [urgent, second]
