"""The callback form's actions against a real SQLite file."""
from __future__ import annotations

import asyncio
import json

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionSubmitCallback, ValidateCallbackForm
from bot.handoff import store


def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_complete_request_is_saved_before_it_is_confirmed(load_tracker, database_url) -> None:
    messages, events = run(ActionSubmitCallback(), load_tracker("callback_complete"))
    assert [m["response"] for m in messages] == ["utter_callback_saved"]
    reference = messages[0]["reference"]
    saved = store.get(database_url, reference)
    assert (saved.first_name, saved.contact, saved.preferred_time) == ("Anna", "+12025550147", "weekday mornings")
    assert saved.consent and saved.kind == "callback" and saved.reason == "personal_question"
    transcript = json.loads(saved.transcript)
    assert all("202-555-0147" not in turn["text"] for turn in transcript)
    assert any(turn["text"] == "[phone]" for turn in transcript)
    assert {e["name"] for e in events if e["event"] == "slot"} >= {"callback_name", "callback_contact"}


def test_a_conversation_cannot_make_the_clinic_call_again_and_again(load_tracker, database_url) -> None:
    responses = [run(ActionSubmitCallback(), load_tracker("callback_complete"))[0][0]["response"]
                 for _ in range(3)]
    assert responses == ["utter_callback_saved", "utter_callback_saved", "utter_callback_limited"]
    assert len(store.queue(database_url)) == 2


def test_one_client_cannot_either(load_tracker, database_url) -> None:
    responses = []
    for n in range(4):
        tracker = load_tracker("callback_complete")
        tracker.sender_id = f"visitor-{n:04d}"
        tracker.latest_message = {**tracker.latest_message, "metadata": {"client": "one-client"}}
        responses.append(run(ActionSubmitCallback(), tracker)[0][0]["response"])
    assert responses == ["utter_callback_saved"] * 3 + ["utter_callback_limited"]


def test_no_consent_saves_nothing(load_tracker, database_url) -> None:
    messages, _ = run(ActionSubmitCallback(), load_tracker("callback_declined"))
    assert [m["response"] for m in messages] == ["utter_no_callback"]
    assert store.queue(database_url) == []


def test_failed_write_never_confirms(load_tracker, tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker / 'clinic.db'}")
    messages, _ = run(ActionSubmitCallback(), load_tracker("callback_complete"))
    assert [m["response"] for m in messages] == ["utter_callback_failed"]


@pytest.mark.parametrize("typed, expected", [
    ("202-555-0147", "+12025550147"),
    ("(202) 555 0147", "+12025550147"),
    ("anna.b@example.com", "anna.b@example.com"),
    ("you can email me at anna.b@example.com.", "anna.b@example.com"),
    ("anna@example.com or bob@example.com", None),  # which one? ask again
    ("call me maybe", None),
    ("12345", None),
    ("anna@", None),
])
def test_contact_validation(load_tracker, typed, expected) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateCallbackForm().validate_callback_contact(typed, dispatcher, load_tracker("callback_complete"), {})
    assert result == {"callback_contact": expected}
    assert bool(dispatcher.messages) == (expected is None)


@pytest.mark.parametrize("typed, expected", [
    ("anna", "Anna"), ("My name is Jo-Ann", "Jo-Ann"), ("<b>x</b>", None), ("", None),
    ("what are the side effects of this", None),
])
def test_name_validation(load_tracker, typed, expected) -> None:
    dispatcher = CollectingDispatcher()
    result = ValidateCallbackForm().validate_callback_name(typed, dispatcher, load_tracker("callback_complete"), {})
    assert result == {"callback_name": expected}
