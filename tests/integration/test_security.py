"""Issue #11 over real sockets: the action server answers only the Rasa
server, bodies are capped before they are read, contact details reach no log.
"""
from __future__ import annotations

import sqlite3
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import pytest

from bot.stack import rasa_env
from tests.integration.helpers import announce_only, new_sender, post, say

FIVE_MB = 5 * 1024 * 1024


def _tracker_call(sender: str) -> dict:
    """What a forger would send to put an urgent callback request in the queue."""
    slots = {"callback_name": "Forged", "callback_contact": "+12025550100",
             "callback_time": "now", "callback_consent": True, "crisis_flagged": True}
    return {"next_action": "action_submit_callback", "sender_id": sender, "version": "3.6.21",
            "tracker": {"sender_id": sender, "slots": slots, "latest_message": {}, "events": [],
                        "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": None},
            "domain": {}}


def test_a_forged_action_request_is_refused(stack) -> None:
    status, _ = post(stack.action_url, _tracker_call(new_sender()))
    assert status == 403
    status, _ = post(f"{stack.action_url}?token=guess", _tracker_call(new_sender()))
    assert status == 403
    from bot.handoff import store
    assert not [h for h in store.queue(stack.database_url) if h.first_name == "Forged"]


def test_the_rasa_server_still_reaches_the_action_server(stack) -> None:
    status, _ = post(stack.webhook, {"sender": new_sender(), "message": "hi"})
    assert status == 200
    # The greeting runs no custom action; the callback form does.
    sender = new_sender()
    say(stack, sender, "can i talk to a real person please")
    replies = say(stack, sender, "Maria")
    assert any("phone" in r["text"].lower() or "email" in r["text"].lower() for r in replies)


def test_a_failing_action_never_sends_the_conversation_back(stack) -> None:
    """rasa_sdk's own error handler answers a crash with the whole request body
    (the tracker, contact details included), which the Rasa server then logs."""
    token = rasa_env()["ACTION_SERVER_TOKEN"]
    call = _tracker_call(new_sender())
    call["tracker"]["events"] = "not a list of events: (202) 555-0177"  # makes the action crash
    status, reply = post(f"{stack.action_url}?token={token}", call)
    assert status == 500
    assert reply == {"error": "the action failed"}, reply


def test_a_deflate_bomb_is_refused_before_it_is_inflated(stack) -> None:
    token = rasa_env()["ACTION_SERVER_TOKEN"]
    bomb = zlib.compress(b'{"pad": "' + b" " * (64 * 1024 * 1024) + b'"}', 9)  # 64 MB from about 64 KB
    assert len(bomb) < 1024 * 1024
    request = urllib.request.Request(f"{stack.action_url}?token={token}", data=bomb,
                                     headers={"Content-Encoding": "deflate", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413


def test_five_megabytes_are_refused_with_413_before_they_are_read(stack) -> None:
    token = rasa_env()["ACTION_SERVER_TOKEN"]
    assert announce_only(stack.webhook, FIVE_MB) == 413
    assert announce_only(f"{stack.action_url}?token={token}", FIVE_MB) == 413
    # and the widget keeps working afterwards
    assert say(stack, new_sender(), "hi")


def test_files_the_servers_create_are_private(stack) -> None:
    say(stack, new_sender(), "hi")
    tracker_db = stack.workdir / "tracker.db"
    assert tracker_db.exists()
    assert tracker_db.stat().st_mode & 0o077 == 0, oct(tracker_db.stat().st_mode)


@pytest.fixture(scope="module")
def debug_stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config):
    """A stack logging at DEBUG (Rasa then logs every message) whose callback
    table refuses inserts, so the failure path logs too."""
    workdir = tmp_path_factory.mktemp("debug-stack")
    # tests/conftest.py as pytest loaded it (a `tests` package in site-packages shadows ours)
    conftest = pytestconfig.pluginmanager.get_plugin(str(Path(__file__).parents[1] / "conftest.py"))
    with conftest.start_stack(model_path, workdir, {"LOG_LEVEL": "DEBUG"}) as running:
        say(running, new_sender(), "hi")  # the action server creates the tables on first use
        from bot.db import engine_for
        engine_for(running.database_url)
        with sqlite3.connect(workdir / "clinic.db") as db:
            db.execute("CREATE TRIGGER refuse BEFORE INSERT ON handoffs "
                       "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END")
        yield running


@pytest.mark.parametrize("contact, clear", [("(202) 555-0182", ("555-0182", "5550182")),
                                            ("maria.lopez@visitor-mail.org", ("maria.lopez@visitor-mail.org",))])
def test_no_log_holds_a_phone_number_or_email_in_clear(debug_stack, contact, clear) -> None:
    sender = new_sender()
    say(debug_stack, sender, "can i talk to a real person please")
    say(debug_stack, sender, "Maria")
    say(debug_stack, sender, f"you can reach me at {contact}")
    say(debug_stack, sender, "after 3pm on weekdays")
    replies = say(debug_stack, sender, "yes")
    assert any("couldn't save" in r["text"] for r in replies), [r["text"] for r in replies]
    logs = sorted(debug_stack.workdir.glob("*.log"))
    assert logs and any("DEBUG" in log.read_text(errors="replace") for log in logs)
    for log in logs:
        text = log.read_text(errors="replace").lower()
        for value in clear:
            assert value.lower() not in text, f"{value} in {log.name}"
    joined = " ".join(log.read_text(errors="replace") for log in logs)
    assert "[phone]" in joined or "[email]" in joined
