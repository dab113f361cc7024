"""Personal questions, the callback form and crisis, end to end over HTTP."""
from __future__ import annotations

import json

from bot.handoff import store
from tests.integration.helpers import kinds, new_sender, say


def test_personal_question_is_handed_to_staff_with_general_information(stack) -> None:
    replies = say(stack, new_sender(), "should i stop taking my lexapro before my first infusion?")
    assert "handoff" in kinds(replies)
    assert "answer" not in kinds(replies), "personal questions are never answered as if general"
    assert any("clinician" in r["text"] for r in replies)
    assert any(b["payload"] == "/affirm" for r in replies for b in r.get("buttons", []))


def test_callback_request_is_stored_before_it_is_confirmed(stack) -> None:
    sender = new_sender()
    say(stack, sender, "can i talk to a real person please")
    say(stack, sender, "Maria")
    replies = say(stack, sender, "call me on 12345")
    assert any("doesn't look like a phone number" in r["text"] for r in replies)
    say(stack, sender, "(202) 555-0182")
    say(stack, sender, "after 3pm on weekdays")
    replies = say(stack, sender, "yes")
    confirmation = next(r for r in replies if "reference" in r["text"])
    reference = confirmation["text"].split("reference ")[1][:6]
    saved = store.get(stack.database_url, reference)
    assert (saved.first_name, saved.contact, saved.preferred_time) == ("Maria", "+12025550182", "after 3pm on weekdays")
    assert "555-0182" not in saved.transcript


def test_visitor_can_stop_the_form(stack) -> None:
    sender = new_sender()
    say(stack, sender, "i would like a callback")
    replies = say(stack, sender, "stop")
    assert any("saved nothing" in r["text"] for r in replies)


def test_crisis_in_the_middle_of_the_form_wins(stack) -> None:
    sender = new_sender()
    say(stack, sender, "please have a nurse call me")
    replies = say(stack, sender, "honestly i dont want to be alive anymore")
    assert kinds(replies)[0] == "crisis"
    text = replies[0]["text"]
    for resource in ("911", "988", "741741"):
        assert resource in text
    flags = [h for h in store.queue(stack.database_url) if h.conversation_id == sender]
    assert flags and flags[0].urgent and flags[0].kind == "crisis_flag"
    # The form is closed: the next message is not taken as a name.
    replies = say(stack, sender, "what does it cost")
    assert "callback" not in kinds(replies)


def test_crisis_outranks_a_medication_question(stack) -> None:
    replies = say(stack, new_sender(), "I'm on sertraline and keep thinking about killing myself")
    assert "crisis" in kinds(replies) and "handoff" not in kinds(replies)


def test_after_a_crisis_no_booking_or_price_buttons(stack) -> None:
    sender = new_sender()
    say(stack, sender, "i want to end my life")
    replies = say(stack, sender, "hello")
    assert all(not r.get("buttons") for r in replies)


def test_research_question_about_suicide_is_answered(stack) -> None:
    replies = say(stack, new_sender(), "what did the trials show about spravato for suicidal thoughts")
    assert "crisis" not in kinds(replies)
