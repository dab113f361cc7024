"""Closing a request masks phone numbers and emails in its stored conversation (SQLite and PostgreSQL).

The request keeps its own contact details until retention deletes it; the
conversation in Rasa's tracker store does not need them any more.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.__main__ import main as bot_main
from bot.handoff import store
from bot.staff import audit
from staff_helpers import callback, csrf_token
from tracker_helpers import bot, slot, store_conversation, stored_events, user, write_endpoints

PHONE, EMAIL = "(555) 201-3344", "jo.rivera@mail.example"
SECRETS = ("201-3344", "201 3344", "jo.rivera@mail.example")


def visitor_asks_for_a_callback(endpoints: Path) -> None:
    """visitor-1 (the callback helper's conversation) leaves a number and an email; visitor-2 too."""
    store_conversation(endpoints, "visitor-1", [
        user("I'd like someone to call me"),
        bot("Sure. What is your phone number or email?"),
        user(f"call me at {PHONE} or write to {EMAIL}"),
        slot("callback_contact", PHONE),
        bot(f"Thanks, we will call {PHONE}."),
        slot("callback_contact", None),  # the form's submit clears it
    ])
    store_conversation(endpoints, "visitor-2", [user("my number is 555 201 3344")])


def assert_masked(url: str) -> None:
    mine = stored_events(url, "visitor-1")
    assert mine and not any(secret in event["raw"] for event in mine for secret in SECRETS)
    said = [event["data"] for event in mine if event["type"] == "user"]
    assert said[1]["text"] == "call me at [phone] or write to [email]"
    assert said[1]["parse_data"]["text"] == "call me at [phone] or write to [email]"
    assert [e["data"]["value"] for e in mine if e["type"] == "slot"] == ["[phone]", None]
    assert [e["data"]["text"] for e in mine if e["type"] == "bot"][1] == "Thanks, we will call [phone]."
    # another conversation is left as it is; Rasa can still read this one
    assert "555 201 3344" in stored_events(url, "visitor-2")[0]["raw"]
    assert {e["data"]["event"] for e in mine} == {"user", "bot", "slot"}


def test_closing_masks_the_sqlite_conversation_and_the_request_keeps_its_contact(console):
    endpoints = Path(console.settings.endpoints_file)
    visitor_asks_for_a_callback(endpoints)
    reference = callback(console.database_url, contact=PHONE)

    store.update_status(console.database_url, reference, "contacted", "desk@clinic.example")
    assert PHONE in stored_events(console.tracker_db_url, "visitor-1")[2]["raw"]  # not closed yet

    store.update_status(console.database_url, reference, "closed", "desk@clinic.example")

    assert_masked(console.tracker_db_url)
    assert store.get(console.database_url, reference).contact == PHONE
    entry = audit.recent(console.database_url, action="privacy.conversation_masked")[0]
    assert entry["target"] == reference and entry["details"]["events"] == 3  # the message, the slot, the echo


def test_the_masked_text_is_overwritten_in_the_sqlite_file(sqlite_keeps_deleted_bytes, console):
    """Not just replaced in the table: the old bytes must not stay readable in free space of the file."""
    long_email = "jonathan.rivera-martinez.family@a-rather-long-provider-name.example"
    store_conversation(Path(console.settings.endpoints_file), "visitor-1",
                       [user(f"{PHONE} or {long_email}, please call me after five")])
    reference = callback(console.database_url)

    store.update_status(console.database_url, reference, "closed", "desk@clinic.example")

    raw = Path(console.tracker_db_url[len("sqlite:///"):]).read_bytes()
    assert b"[phone]" in raw
    assert b"201-3344" not in raw and long_email.encode() not in raw


def test_closing_masks_the_postgresql_conversation(console, postgres, tmp_path, monkeypatch):
    monkeypatch.setenv("PG_PASSWORD", postgres.password)
    endpoints = write_endpoints(tmp_path / "endpoints.yml", postgres.tracker_store())
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    visitor_asks_for_a_callback(endpoints)
    reference = callback(console.database_url, contact=EMAIL)

    store.update_status(console.database_url, reference, "closed", "desk@clinic.example")

    assert_masked(postgres.url)
    assert store.get(console.database_url, reference).contact == EMAIL


def test_closing_from_the_console_masks(console):
    visitor_asks_for_a_callback(Path(console.settings.endpoints_file))
    reference = callback(console.database_url)
    client = console.signed_in("desk@clinic.example", "front_desk")
    response = client.post(f"/callbacks/{reference}", data={
        "status": "closed", "note": "called back",
        "csrf_token": csrf_token(client, f"/callbacks/{reference}")})
    assert response.status_code == 302
    assert_masked(console.tracker_db_url)


def test_closing_from_the_command_line_masks(console):
    visitor_asks_for_a_callback(Path(console.settings.endpoints_file))
    reference = callback(console.database_url)
    assert bot_main(["handoffs", "close", reference, "--note", "called back"]) == 0
    assert_masked(console.tracker_db_url)


def test_a_callback_form_being_filled_in_keeps_its_value(console):
    """Masking the live slot would make the second request save "[phone]" as the number to call."""
    endpoints = Path(console.settings.endpoints_file)
    store_conversation(endpoints, "visitor-1", [
        user(f"call me at {PHONE}"), slot("callback_contact", PHONE), slot("callback_contact", None),
        user("one more thing, please call my other number 555 201 9988"),
        slot("callback_contact", "555 201 9988"),  # the form is still open
    ])
    reference = callback(console.database_url)

    store.update_status(console.database_url, reference, "closed", "desk@clinic.example")

    events = stored_events(console.tracker_db_url, "visitor-1")
    assert [e["data"]["value"] for e in events if e["type"] == "slot"] == ["[phone]", None, "555 201 9988"]
    assert [e["data"]["text"] for e in events if e["type"] == "user"] == [
        "call me at [phone]", "one more thing, please call my other number [phone]"]


def test_closing_a_crisis_flag_masks_every_conversation_folded_into_it(console):
    endpoints = Path(console.settings.endpoints_file)
    for conversation in ("tab-1", "tab-2"):
        store_conversation(endpoints, conversation, [user(f"I can't go on, call {PHONE}")])
    first = store.flag_crisis(console.database_url, "tab-1", [], client_key="203.0.113.7")
    second = store.flag_crisis(console.database_url, "tab-2", [], client_key="203.0.113.7")
    assert first.reference == second.reference

    store.update_status(console.database_url, first.reference, "closed", "nurse@clinic.example")

    for conversation in ("tab-1", "tab-2"):
        assert stored_events(console.tracker_db_url, conversation)[0]["data"]["text"] == \
            "I can't go on, call [phone]"


def test_a_close_whose_masking_fails_stands_and_is_recorded(console, tmp_path, monkeypatch, caplog):
    endpoints = write_endpoints(tmp_path / "redis-endpoints.yml", {"type": "redis", "url": "localhost"})
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    reference = callback(console.database_url)

    with caplog.at_level(logging.ERROR, logger="bot.handoff.store"):
        store.update_status(console.database_url, reference, "closed", "desk@clinic.example")

    assert store.get(console.database_url, reference).status == "closed"
    assert f"request {reference} were NOT masked" in caplog.text
    entry = audit.recent(console.database_url, action="privacy.mask_failed")[0]
    assert entry["target"] == reference and "redis" in entry["details"]["problem"]


@pytest.mark.parametrize("status", ["open", "contacted"])
def test_only_closing_masks(console, status):
    visitor_asks_for_a_callback(Path(console.settings.endpoints_file))
    reference = callback(console.database_url)
    store.update_status(console.database_url, reference, status, "desk@clinic.example")
    assert PHONE in stored_events(console.tracker_db_url, "visitor-1")[2]["raw"]
    assert not audit.recent(console.database_url, action="privacy.")
