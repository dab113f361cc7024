"""Four eyes: nobody approves an answer they wrote or accepts a training example they proposed."""
from __future__ import annotations

import pytest

from bot.content import edits, training_examples
from bot.content.store import load_library
from bot.staff import accounts, audit
from staff_helpers import csrf_token

NEW_TEXT = ("Ketamine was first made in the 1960s as a medicine for surgery. Years later, "
            "small studies found that it could ease depression for some people within hours. "
            "Research on it still goes on today.")


def live(console, answer_id: str = "about_history"):
    return load_library(console.paths.content_dir).answers[answer_id]


def save(client, answer_id: str = "about_history", text: str = NEW_TEXT):
    answer_page = f"/answers/{answer_id}"
    token = csrf_token(client, answer_page)
    version = client.get(answer_page).text.split('name="version" value="')[1].split('"')[0]
    return client.post(answer_page, data={"csrf_token": token, "version": version,
                                          "question": "What is the history of ketamine?",
                                          "text": text, "sources": "S36"})


def approve(client, answer_id: str = "about_history"):
    answer_page = f"/answers/{answer_id}"
    page = client.get(answer_page).text
    version = page.split('name="version" value="')[1].split('"')[0]
    return client.post(f"{answer_page}/approve", data={
        "csrf_token": csrf_token(client, answer_page), "version": version}, follow_redirects=True)


def test_a_reviewer_cannot_approve_their_own_edit(console):
    author = console.signed_in("author@clinic.example", "reviewer")
    assert save(author).status_code == 302
    page = author.get("/answers/about_history").text
    assert "another reviewer must approve it" in page and 'id="approve"' not in page
    refused = approve(author)  # the form is gone, but a hand-made request is refused too
    assert "Not approved: you wrote (part of) this text" in refused.text
    assert live(console).text != NEW_TEXT and live(console).pending.text == NEW_TEXT

    other = console.signed_in("other@clinic.example", "reviewer")
    assert "Approved." in approve(other).text
    assert live(console).text == NEW_TEXT
    assert live(console).reviewed_by == "other (reviewer)"
    assert audit.recent(console.database_url, action="answer.approved")[0]["actor"].startswith("other")


def test_everyone_who_wrote_the_waiting_text_is_excluded(console):
    editor = console.signed_in("editor@clinic.example", "editor")
    first = console.signed_in("first@clinic.example", "reviewer")
    second = console.signed_in("second@clinic.example", "reviewer")
    save(editor)
    save(first, text=NEW_TEXT + " It is studied in many countries.")
    assert "you wrote" in approve(first).text
    assert "Approved." in approve(second).text
    # Approval settles it: the next edit starts a fresh list of authors.
    save(second, text=NEW_TEXT)
    assert "Approved." in approve(first).text


def test_a_new_draft_needs_someone_other_than_its_author(console):
    author = console.signed_in("author@clinic.example", "reviewer")
    response = author.post("/answers/new", data={
        "csrf_token": csrf_token(author, "/answers/new"), "topic": "cost",
        "answer_id": "cost_medicare", "question": "Do you take Medicare?", "sources": "S43",
        "text": "Medicare rules differ for each treatment. For IV ketamine, it usually does not pay. "
                "For Spravato, it may help pay. Call our billing office at {billing_phone} to check."})
    assert response.status_code == 302
    assert "you wrote" in approve(author, "cost_medicare").text
    assert live(console, "cost_medicare").status == "draft"
    other = console.signed_in("other@clinic.example", "reviewer")
    # Another reviewer gets past four eyes (a new answer then still needs training
    # examples before the content check lets it go live).
    page = approve(other, "cost_medicare").text
    assert "you wrote" not in page and "no visitor question leads to it" in page
    other_id = next(u.id for u in accounts.list_users(console.database_url)
                    if u.email == "other@clinic.example")
    edits.FourEyes(console.database_url, other_id).refuse_own("cost_medicare")


def test_discarding_the_edit_clears_its_authors(console):
    author = console.signed_in("author@clinic.example", "reviewer")
    save(author)
    token = csrf_token(author, "/answers/about_history")
    version = author.get("/answers/about_history").text.split('name="version" value="')[1].split('"')[0]
    author.post("/answers/about_history/discard", data={"csrf_token": token, "version": version})
    assert edits.authors_of(console.database_url, "about_history") == set()
    assert "Approved." in approve(author).text  # confirming the untouched text is fine


def test_the_yaml_signature_is_checked_too(content_paths):
    """An edit saved before authors were recorded (or by hand) still names its author."""
    answer = load_library(content_paths.content_dir).answers["about_history"]
    edits.save_draft(content_paths, "about_history",
                     edits.Draft.from_form(answer.question, NEW_TEXT, "S36"), "Jo Park, RN")
    with pytest.raises(edits.EditRefused, match="signed as yours"):
        edits.approve(content_paths, "about_history", "Jo Park, RN")
    edits.approve(content_paths, "about_history", "Dr. Rivera")


def test_four_eyes_is_checked_by_account_not_by_title(console):
    """Two people may share a title; the account decides."""
    author = console.add_user("a@clinic.example", "reviewer", title="Nurse")
    other = console.add_user("b@clinic.example", "reviewer", title="Nurse practitioner")
    answer = live(console)
    draft = edits.Draft.from_form(answer.question, NEW_TEXT, "S36")
    edits.save_draft(console.paths, "about_history", draft, "Nurse",
                     four_eyes=edits.FourEyes(console.database_url, author.id))
    with pytest.raises(edits.EditRefused, match="you wrote"):
        edits.approve(console.paths, "about_history", "Someone else entirely",
                      four_eyes=edits.FourEyes(console.database_url, author.id))
    edits.approve(console.paths, "about_history", other.title,
                  four_eyes=edits.FourEyes(console.database_url, other.id))
    assert edits.authors_of(console.database_url, "about_history") == set()


# --- training examples ------------------------------------------------------------------


def propose(client, example: str = "do you take medicare", answer_id: str = "cost_insurance_iv"):
    return client.post("/insights/examples", data={
        "csrf_token": csrf_token(client, "/insights"), "answer_id": answer_id, "example": example},
        follow_redirects=True)


def decide(client, proposal_id: int, verdict: str):
    return client.post(f"/insights/proposals/{proposal_id}/{verdict}",
                       data={"csrf_token": csrf_token(client, "/insights")}, follow_redirects=True)


def test_a_reviewer_cannot_accept_their_own_proposal(console):
    reviewer = console.signed_in("doc@clinic.example", "reviewer")
    nlu_file = console.paths.nlu_dir / "cost.yml"
    before = nlu_file.read_text()
    assert "Proposed as an example" in propose(reviewer).text
    assert nlu_file.read_text() == before
    proposal = training_examples.proposals(console.database_url)[0]
    page = decide(reviewer, proposal.id, "accept")
    assert "Not added: you proposed this example" in page.text
    assert nlu_file.read_text() == before
    other = console.signed_in("other@clinic.example", "reviewer")
    assert "Added to the examples" in decide(other, proposal.id, "accept").text
    assert "- do you take medicare" in nlu_file.read_text()


def test_the_proposal_rule_is_in_the_module_not_only_the_page(console):
    proposal = training_examples.propose(console.database_url, console.paths.nlu_dir,
                                         "cost_insurance_iv", "is medicaid accepted",
                                         proposer_id=7, proposer="Someone <s@clinic.example>")
    with pytest.raises(training_examples.ExampleRefused, match="you proposed"):
        training_examples.accept(console.database_url, console.paths.nlu_dir, proposal.id,
                                 reviewer_id=7)
    training_examples.accept(console.database_url, console.paths.nlu_dir, proposal.id,
                             reviewer_id=8)
    assert "- is medicaid accepted" in (console.paths.nlu_dir / "cost.yml").read_text()


def test_editors_cannot_accept_but_may_withdraw_their_own(console):
    editor = console.signed_in("nurse@clinic.example", "editor")
    propose(editor)
    proposal = training_examples.proposals(console.database_url)[0]
    assert decide(editor, proposal.id, "accept").status_code == 403
    assert "withdrawn" in decide(editor, proposal.id, "decline").text
    assert training_examples.proposals(console.database_url) == []
    assert audit.recent(console.database_url, action="training.example_withdrawn")


def test_a_reviewer_declines_and_someone_elses_proposal_cannot_be_withdrawn(console):
    editor = console.signed_in("nurse@clinic.example", "editor")
    colleague = console.signed_in("colleague@clinic.example", "editor")
    reviewer = console.signed_in("doc@clinic.example", "reviewer")
    propose(editor)
    proposal = training_examples.proposals(console.database_url)[0]
    assert "Not changed: only a reviewer" in decide(colleague, proposal.id, "decline").text
    assert "declined" in decide(reviewer, proposal.id, "decline").text
    entry = audit.recent(console.database_url, action="training.example_declined")[0]
    assert entry["details"]["example"] == "do you take medicare"


def test_proposals_are_checked_when_made(console):
    editor = console.signed_in("nurse@clinic.example", "editor")
    propose(editor)
    assert "already waits for review" in propose(editor, "Do you take  MEDICARE").text
    assert "already a training example" in propose(editor, "History of ketamine").text
    assert "no question" in propose(editor, "anything at all", "no_such_answer").text
    assert len(training_examples.proposals(console.database_url)) == 1
