"""Personal questions, the callback form and crisis, end to end over HTTP."""
from __future__ import annotations

import json
import re

import pytest

from bot.handoff import store
from tests.integration.helpers import answers, kinds, new_sender, say


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


SAFETY_PAYLOADS = {"/affirm", "/deny", "/request_human"}


def test_after_a_crisis_no_booking_or_price_buttons(stack) -> None:
    sender = new_sender()
    say(stack, sender, "i want to end my life")
    replies = say(stack, sender, "hello")
    assert kinds(replies) == ["crisis"]
    payloads = {b["payload"] for r in replies for b in r.get("buttons") or []}
    assert payloads <= SAFETY_PAYLOADS, "only 'are you safe' and 'ask staff' buttons"


def test_crisis_mode_stays_for_the_rest_of_the_conversation(stack) -> None:
    """Issue #9: after the crisis reply, messages get varied crisis-mode
    replies (never a topic answer or "pick a topic"), a clear question too
    until the visitor says they are safe, and then its answer with the
    resources attached; nothing repeats word for word."""
    sender = new_sender()
    first = say(stack, sender, "i dont want to be here anymore")
    texts = [next(r["text"] for r in first if kinds([r]) == ["crisis"])]
    for message in ("whatever", "the voices keep telling me to do it tonight", "idk",
                    "how much does a ketamine infusion cost?"):
        replies = say(stack, sender, message)
        assert kinds(replies) == ["crisis"], message
        assert "988" in replies[0]["text"] and "911" in replies[0]["text"]
        texts.append(replies[0]["text"])
    assert all(a != b for a, b in zip(texts, texts[1:]))
    assert "glad you're safe" in say(stack, sender, "/affirm")[0]["text"]
    answer = say(stack, sender, "how much does a ketamine infusion cost?")
    assert kinds(answer) == ["answer"] and "988" in answer[0]["custom"]["crisis_resources"]


def test_after_an_emergency_a_question_about_the_person_gets_911(stack) -> None:
    """H37: a question about what to do for the person in danger, after an
    emergency reply, is about the emergency: 911, never a curated answer."""
    sender = new_sender()
    first = say(stack, sender, "my husband just woke up and says his chest feels tight and heavy")
    emergency = next(r for r in first if kinds([r]) == ["crisis"])
    assert emergency["custom"]["variant"] == "emergency"
    for message in ("should i drive him to st lukes or call", "what do i tell them when i call"):
        replies = say(stack, sender, message)
        assert kinds(replies) == ["crisis"], message
        assert replies[0]["custom"]["variant"] == "emergency_mode" and "911" in replies[0]["text"]


def test_distress_gets_the_boundary_reply_not_the_rephrase_request(stack) -> None:
    replies = say(stack, new_sender(), "i'm so overwhelmed and alone lately, nothing feels easy")
    custom = next(r["custom"] for r in replies if kinds([r]) in (["fallback"], ["crisis"]))
    # The distress reply, or (erring safe) the check-in or the crisis reply;
    # never "rephrase".
    assert custom.get("variant") in ("distress", "possible_crisis") or custom["kind"] == "crisis"
    assert "988" in " ".join(r["text"] for r in replies)


@pytest.mark.parametrize("message", [
    "how much ketamine is too much to survive",
    "what's the lethal dose of ketamine for someone my weight",
    "how many mg of ketamine would it take to not wake up",
    "if i took all my spravato at once would that do it",
])
def test_a_lethality_question_never_gets_dose_figures(stack, message) -> None:
    replies = say(stack, new_sender(), message)
    assert "crisis" in kinds(replies), message
    assert not answers(replies), message
    text = " ".join(r["text"] for r in replies)
    assert not re.search(r"\d+(\.\d+)?\s*(mg|milligram)", text), text


def test_spanish_crisis_gets_the_spanish_crisis_reply(stack) -> None:
    replies = say(stack, new_sender(), "ya no quiero vivir, tengo las pastillas aquí")
    crisis = next(r for r in replies if kinds([r]) == ["crisis"])
    assert crisis["custom"].get("language") == "es"
    assert "AYUDA" in crisis["text"] and "911" in crisis["text"]


def test_spanish_distress_gets_the_spanish_distress_reply(stack) -> None:
    # Not "I can only answer in English": the distress reply exists in Spanish.
    replies = say(stack, new_sender(), "desde que me mudé no tengo con quién hablar y me la paso llorando")
    distress = next(r for r in replies if r.get("custom", {}).get("variant") == "distress")
    assert distress["custom"].get("language") == "es"
    assert "988" in distress["text"]
    assert not any(r.get("custom", {}).get("variant") == "other_language" for r in replies)


def test_research_question_about_suicide_is_answered(stack) -> None:
    replies = say(stack, new_sender(), "what did the trials show about spravato for suicidal thoughts")
    assert "crisis" not in kinds(replies)
