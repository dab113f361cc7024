"""The live preview is the message the assistant would send, and the edit flow over HTTP."""
from __future__ import annotations

from bot.content.example_content import EXAMPLE_REVIEWER
from bot.content.store import load_library
from bot.content.render import answer_message
from bot.staff import audit
from staff_helpers import csrf_token

NEW_TEXT = ("Ketamine was first made in the 1960s as a medicine for surgery. Years later, "
            "small studies found that it could ease depression for some people within hours. "
            "Call {clinic_phone} to ask about it.")


class QuietTracker:
    """The one thing ContentNLG.answer asks a tracker: no crisis in this conversation."""

    def get_slot(self, _name):
        return None


def test_preview_equals_what_the_assistant_sends(console):
    from bot.dialogue.nlg import ContentNLG

    nlg = ContentNLG()
    library = load_library(console.paths.content_dir)
    values = console.app.extensions["staff"].clinic.values()
    for answer_id in ("clinic_contact", "about_history", "cost_overview"):
        sent = nlg.answer(answer_id, QuietTracker())
        assert answer_message(library.answers[answer_id], library, values) == sent


def test_preview_api_fills_placeholders_and_reports_findings(console):
    client = console.signed_in("nurse@clinic.example", "editor")
    token = csrf_token(client, "/answers/about_history")
    result = client.post("/api/preview", headers={"X-CSRFToken": token}, json={
        "answer_id": "about_history", "question": "What is the history of ketamine?",
        "text": NEW_TEXT + " It is a miracle.", "sources": "S36, S404"}).json
    custom = result["message"]["custom"]
    assert "(555) 555-0134" in custom["text"] and "{clinic_phone}" not in custom["text"]
    assert [s["citation"][:10] for s in custom["sources"]] == [
        load_library(console.paths.content_dir).sources["S36"].citation[:10]]
    messages = " ".join(f["message"] for f in result["findings"])
    assert "miracle" in messages and "S404" in messages
    assert isinstance(result["grade"], float)


def test_edit_then_approve_over_http_is_audited(console):
    editor = console.signed_in("nurse@clinic.example", "editor")
    page = editor.get("/answers/about_history").text
    version = page.split('name="version" value="')[1].split('"')[0]
    response = editor.post("/answers/about_history", data={
        "csrf_token": csrf_token(editor, "/answers/about_history"), "version": version,
        "question": "What is the history of ketamine?", "text": NEW_TEXT, "sources": "S36 S15"})
    assert response.status_code == 302
    assert "Edit waiting for review" in editor.get("/answers").text

    reviewer = console.signed_in("director@clinic.example", "reviewer")
    page = reviewer.get("/answers/about_history").text
    assert "Approve the waiting edit" in page
    version = page.split('name="version" value="')[1].split('"')[0]
    response = reviewer.post("/answers/about_history/approve", data={
        "csrf_token": csrf_token(reviewer, "/answers/about_history"), "version": version})
    assert response.status_code == 302
    answer = load_library(console.paths.content_dir).answers["about_history"]
    assert answer.text == NEW_TEXT and answer.reviewed_by.startswith("director")

    entries = audit.recent(console.database_url, action="answer.")
    assert [e["action"] for e in entries] == ["answer.approved", "answer.draft_saved"]
    approved, saved = entries
    assert "director@clinic.example" in approved["actor"] and "nurse@clinic.example" in saved["actor"]
    assert saved["details"]["after"]["text"] == NEW_TEXT
    assert approved["details"]["before"]["reviewed_by"] == EXAMPLE_REVIEWER


def test_approval_with_check_errors_is_refused_with_the_reason(console):
    editor = console.signed_in("nurse@clinic.example", "editor")
    editor.post("/answers/about_history", data={
        "csrf_token": csrf_token(editor, "/answers/about_history"),
        "question": "What is the history of ketamine?", "text": NEW_TEXT + " A true miracle.",
        "sources": "S36"})
    reviewer = console.signed_in("director@clinic.example", "reviewer")
    reviewer.post("/answers/about_history/approve",
                  data={"csrf_token": csrf_token(reviewer, "/answers/about_history")})
    page = reviewer.get("/answers/about_history").text
    assert "Not approved:" in page and "miracle" in page
    assert "miracle" not in load_library(console.paths.content_dir).answers["about_history"].text
