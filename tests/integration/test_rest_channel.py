"""The widget's REST channel on the real running stack: answers and bad input."""
from __future__ import annotations

import pytest

from tests.integration.helpers import answers, kinds, new_sender, post, say


def test_first_message_carries_the_disclaimer_then_a_sourced_answer(stack) -> None:
    replies = say(stack, new_sender(), "what are the side effects")
    assert kinds(replies)[0] == "disclaimer"
    assert "not medical advice" in replies[0]["text"] and "988" in replies[0]["text"]
    [answer] = answers(replies)
    assert answer["topic"] == "side_effects"
    assert answer["sources"] and answer["sources"][0]["url"].startswith("https://")
    assert "{" not in answer["text"], "clinic placeholders must be filled"


def test_greeting_offers_topics_and_staff(stack) -> None:
    replies = say(stack, new_sender(), "/greet")
    greet = next(r for r in replies if kinds([r]) == ["greet"])
    titles = [b["title"] for b in greet["buttons"]]
    assert "Side effects" in titles and "Talk to staff" in titles


@pytest.mark.parametrize("message, problem_words", [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("🙂🙂🙂", "emoji"),
    ("<img src=x onerror=alert(1)>", "plain text"),
    ("<script>alert('x')</script>", "plain text"),
    ("¿Cuánto cuesta el tratamiento con ketamina?", "inglés"),
    ("Qu'est-ce que la kétamine et comment ça marche ?", "English"),
])
def test_unreadable_input_gets_a_clear_answer(stack, message, problem_words) -> None:
    replies = say(stack, new_sender(), message)
    assert "fallback" in kinds(replies)
    text = " ".join(r["text"] for r in replies)
    assert problem_words in text
    assert "Traceback" not in text and "<img" not in text


def test_a_5000_character_message_is_answered(stack) -> None:
    story = ("My sister found your clinic online and sent me the link last week. "
             "I have read the pages about how the infusions work and the studies. "
             # Not "I keep going back and forth": alone, the risk classifier reads
             # that ambivalence as crisis (docs/safety.md, Known limits); this
             # test is about length.
             "We have talked about it over dinner a few times now. "
             "Work has been busy, the kids have school, and money is tight this year. ")
    message = (story * 40)[: 5000 - 60] + " Anyway, how much does a ketamine infusion cost?"
    assert 4900 < len(message) <= 5000
    replies = say(stack, new_sender(), message)
    # A sensible reply: the answer, or a request to ask again; never an error.
    assert kinds(replies)[-1] in ("answer", "fallback")
    assert all(topic == "cost" for topic in (a["topic"] for a in answers(replies)))


def test_html_mixed_with_a_question_is_answered_as_text(stack) -> None:
    replies = say(stack, new_sender(), "<b>how long does an infusion take?</b>")
    assert answers(replies)


def test_typed_slash_commands_are_treated_as_text(stack) -> None:
    replies = say(stack, new_sender(), "/crisis")
    assert "crisis" not in kinds(replies)


@pytest.mark.parametrize("body, status", [
    (b"{not json", 400),
    (b"[1, 2, 3]", 400),
    (b'{"message": "hi"}', 400),
    (b'{"sender": "x", "message": "hi"}', 400),
    (b'{"sender": "visitor-123456", "message": 42}', 400),
    (b'{"sender": "visitor-123456", "message": "' + b"a" * 10_001 + b'"}', 413),
    (b"\xff\xfe\x00", 400),
    (b"{" + b'"a": 1, ' * 20_000 + b'"b": 2}', 413),
])
def test_malformed_requests_get_a_json_error(stack, body, status) -> None:
    code, reply = post(stack.webhook, body)
    assert code == status
    assert isinstance(reply, dict) and reply["error"]


@pytest.mark.parametrize("path", ["/widget/webhook", "/widget/feedback"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_posts_a_browser_could_send_cross_site_without_a_preflight_are_refused(stack, path, content_type) -> None:
    code, reply = post(f"{stack.base_url}{path}", {"sender": new_sender(), "message": "hi"}, content_type)
    assert code == 415 and "application/json" in reply["error"]


def test_feedback_is_validated(stack) -> None:
    code, reply = post(f"{stack.base_url}/widget/feedback",
                       {"sender": new_sender(), "answer_id": "side_effects_common", "helpful": "yes"})
    assert code == 400 and "helpful" in reply["error"]


def test_feedback_only_for_an_answer_sent_in_that_conversation_once_each(stack) -> None:
    from sqlalchemy import select

    from bot.db import session_scope
    from bot.models import Feedback

    sender = new_sender()
    [answer] = answers(say(stack, sender, "what are the side effects of ketamine?"))
    url = f"{stack.base_url}/widget/feedback"
    for made_up in ({"sender": sender, "answer_id": "cost_overview", "helpful": True},  # not sent here
                    {"sender": sender, "answer_id": "no_such_answer", "helpful": True},  # does not exist
                    {"sender": new_sender(), "answer_id": answer["answer_id"], "helpful": True}):  # other visitor
        code, reply = post(url, made_up)
        assert code == 404 and reply["error"], made_up
    for helpful in (True, False, False):
        code, _ = post(url, {"sender": sender, "answer_id": answer["answer_id"], "helpful": helpful})
        assert code == 204
    with session_scope(stack.database_url) as session:
        votes = session.execute(select(Feedback.helpful).where(Feedback.conversation_id == sender)).all()
    assert votes == [(False,)], "one vote per answer per conversation; a second tap changes it"
