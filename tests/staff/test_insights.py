"""Insights: grouped fallbacks, thumbs-down, answer use; adding a training example."""
from __future__ import annotations

from bot.db import session_scope
from bot.models import Feedback
from bot.staff import audit, grouping, training_examples
from staff_helpers import add_events, csrf_token

import pytest


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


def test_an_editor_adds_a_fallback_as_a_training_example(console):
    client = console.signed_in("nurse@clinic.example", "editor")
    token = csrf_token(client, "/insights")
    response = client.post("/insights/examples", data={
        "csrf_token": token, "answer_id": "cost_insurance_iv", "example": "do you take medicare"})
    assert response.status_code == 302
    page = client.get("/insights").text
    assert "takes effect after the assistant is retrained" in page
    nlu = (console.paths.nlu_dir / "cost.yml").read_text()
    assert "    - do you take medicare\n" in nlu
    assert audit.recent(console.database_url, action="training.")[0]["target"] == "faq/cost_insurance_iv"


def test_training_examples_keep_the_file_and_refuse_duplicates(content_paths):
    path = content_paths.nlu_dir / "about.yml"
    before = path.read_text()
    training_examples.add_example(content_paths.nlu_dir, "about_history", "who came up with ketamine")
    after = path.read_text()
    assert after.replace("    - who came up with ketamine\n", "", 1) == before
    with pytest.raises(training_examples.ExampleRefused, match="already a training example"):
        training_examples.add_example(content_paths.nlu_dir, "cost_overview", "History of ketamine")
    with pytest.raises(training_examples.ExampleRefused, match="no question"):
        training_examples.add_example(content_paths.nlu_dir, "no_such_answer", "anything at all")
    with pytest.raises(training_examples.ExampleRefused, match="brackets"):
        training_examples.add_example(content_paths.nlu_dir, "about_history", "[ketamine](drug) history")


def test_start_a_draft_answer_from_a_fallback(console):
    client = console.signed_in("nurse@clinic.example", "editor")
    form = client.get("/answers/new?question=do+you+take+medicare").text
    assert 'value="do you take medicare"' in form
    token = csrf_token(client, "/answers/new")
    response = client.post("/answers/new", data={
        "csrf_token": token, "topic": "cost", "answer_id": "cost_medicare",
        "question": "Do you take Medicare?", "sources": "S42",
        "text": "Medicare rules differ for each treatment. For IV ketamine, it usually does not pay. "
                "For Spravato, it may help pay. Call our billing office at {billing_phone} to check."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/answers/cost_medicare")
    assert "Draft" in client.get("/answers/cost_medicare").text
