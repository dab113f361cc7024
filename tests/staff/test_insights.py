"""Insights: grouped fallbacks, thumbs-down, answer use; adding a training example."""
from __future__ import annotations

import yaml

from bot.content import training_examples
from bot.db import session_scope
from bot.models import Feedback
from bot.staff import audit, grouping, safety_review
from staff_helpers import add_events, csrf_token


def test_similar_questions_are_grouped_and_ranked_by_count():
    groups = grouping.group_similar([
        "do you take medicare", "Do you take Medicare?", "do you accept medicare",
        "can I bring my dog", "can i bring my dog?", "do you take medicare",
        "is there parking",
    ])
    assert groups[0].count == 4 and "medicare" in groups[0].label.lower()
    assert groups[1].count == 2 and "dog" in groups[1].label
    assert sum(g.count for g in groups) == 7


def test_insights_page_shows_fallbacks_feedback_and_usage(console):
    add_events(console.tracker_db_url, [
        {"type": "user", "text": "do you take medicare"},
        {"type": "user", "text": "Do you take Medicare? call me 555-201-3344"},
        {"type": "user", "text": "can i bring my dog"},
        {"type": "user", "text": "what is ketamine", "intent": "faq"},
        {"type": "bot", "text": "...", "answer_id": "about_history"},
        {"type": "bot", "text": "...", "answer_id": "about_history"},
        {"type": "bot", "text": "Hello"},
    ])
    with session_scope(console.database_url) as session:
        session.add_all([Feedback(conversation_id="v", answer_id="cost_overview", helpful=False),
                         Feedback(conversation_id="v", answer_id="cost_overview", helpful=False),
                         Feedback(conversation_id="v", answer_id="cost_overview", helpful=True)])
    client = console.signed_in("nurse@clinic.example", "editor")
    page = client.get("/insights").text
    assert "do you take medicare" in page and "can i bring my dog" in page
    assert "what is ketamine" not in page  # answered, so not a fallback
    assert "555-201-3344" not in page and "[phone]" in page
    assert page.index("do you take medicare") < page.index("can i bring my dog")
    assert "How much does treatment cost?" in page  # the most thumbs-down
    assert 'class="count">2</td>' in page


def test_an_editors_example_waits_for_a_reviewer_before_it_is_training_data(console):
    editor = console.signed_in("nurse@clinic.example", "editor")
    nlu_file = console.paths.nlu_dir / "cost.yml"
    before = nlu_file.read_text()
    response = editor.post("/insights/examples", data={
        "csrf_token": csrf_token(editor, "/insights"), "answer_id": "cost_insurance_iv",
        "example": "do you take medicare"})
    assert response.status_code == 302
    page = editor.get("/insights").text
    assert "Another reviewer must accept it" in page and "Another reviewer decides." in page
    assert nlu_file.read_text() == before, "a proposal is not training data yet"
    assert audit.recent(console.database_url, action="training.")[0]["action"] == \
        "training.example_proposed"

    reviewer = console.signed_in("doc@clinic.example", "reviewer")
    proposal = training_examples.proposals(console.database_url)[0]
    response = reviewer.post(f"/insights/proposals/{proposal.id}/accept",
                             data={"csrf_token": csrf_token(reviewer, "/insights")})
    assert response.status_code == 302
    assert "takes effect after the assistant is retrained" in reviewer.get("/insights").text
    assert "    - do you take medicare\n" in nlu_file.read_text()
    added = audit.recent(console.database_url, action="training.example_added")[0]
    assert added["target"] == "faq/cost_insurance_iv" and added["actor"].startswith("doc")
    assert added["details"]["proposed_by"].startswith("nurse")
    assert training_examples.proposals(console.database_url) == []


def test_start_a_draft_answer_from_a_fallback(console):
    client = console.signed_in("nurse@clinic.example", "editor")
    form = client.get("/answers/new?question=do+you+take+medicare").text
    assert 'value="do you take medicare"' in form
    token = csrf_token(client, "/answers/new")
    response = client.post("/answers/new", data={
        "csrf_token": token, "topic": "cost", "answer_id": "cost_medicare",
        "question": "Do you take Medicare?", "sources": "S43",
        "text": "Medicare rules differ for each treatment. For IV ketamine, it usually does not pay. "
                "For Spravato, it may help pay. Call our billing office at {billing_phone} to check."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/answers/cost_medicare")
    assert "Draft" in client.get("/answers/cost_medicare").text


def _safety(kind: str) -> dict:
    return {"kind": kind, "reason": "test", "language": "en", "general_answer_id": None,
            "clear_question": False}


def test_risk_messages_are_never_shown_as_unanswered_questions(console):
    add_events(console.tracker_db_url, [
        {"type": "user", "text": "do you take medicare"},
        {"type": "user", "text": "the voices keep telling me to do it tonight", "safety": _safety("crisis")},
        {"type": "user", "text": "i feel so alone lately", "safety": _safety("distress")},
        {"type": "user", "text": "there's a rope in the garage", "safety": _safety("possible_risk")},
        {"type": "user", "text": "i want to die", "safety": _safety("crisis"), "sender": "visitor-2",
         "age_days": 0.01},
        {"type": "user", "text": "whatever man", "sender": "visitor-2"},
        {"type": "user", "text": "do you take aetna", "sender": "visitor-3"},
    ])
    client = console.signed_in("nurse@clinic.example", "editor")
    page = client.get("/insights").text
    assert "do you take medicare" in page and "do you take aetna" in page
    for risky in ("voices keep telling", "so alone", "rope in the garage", "want to die", "whatever man"):
        assert risky not in page, "risk, and crisis mode, are not questions to train on"


def test_safety_review_lists_marks_and_exports(console):
    add_events(console.tracker_db_url, [
        {"type": "user", "text": "im done, call me at 555-201-3344", "safety": _safety("crisis")},
        {"type": "user", "text": "this price is killing me lol", "safety": _safety("possible_risk")},
        {"type": "user", "text": "how much does it cost", "intent": "faq"},
    ])
    desk = console.signed_in("desk@clinic.example", "front_desk")
    page = desk.get("/safety").text
    assert "im done" in page and "killing me" in page and "how much does it cost" not in page
    assert "555-201-3344" not in page, "contact details are masked"
    assert "True alarm" not in page, "only reviewers mark alarms"
    assert desk.post("/safety/1", data={"verdict": "true_alarm", "csrf_token": csrf_token(desk, "/safety")}
                     ).status_code == 403

    reviewer = console.signed_in("doc@clinic.example", "reviewer")
    rows = {row.message.text: row.message.event_id
            for row in safety_review.review_list(console.database_url, console.tracker_db_url)}
    token = csrf_token(reviewer, "/safety")
    for text, verdict in (("im done", "true_alarm"), ("killing me", "false_alarm")):
        event_id = next(i for t, i in rows.items() if text in t)
        assert reviewer.post(f"/safety/{event_id}", data={"verdict": verdict, "csrf_token": token}
                             ).status_code == 302
    assert "true alarm" in reviewer.get("/safety").text
    exported = reviewer.get("/safety/export.yml")
    cases = yaml.safe_load(exported.data)["cases"]
    assert {c["expect"] for c in cases} == {"crisis", "near_miss"}
    assert all("555-201-3344" not in c["text"] for c in cases)
    assert audit.recent(console.database_url, limit=1)[0]["action"] == "safety.exported"
