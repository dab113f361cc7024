"""Saving drafts and approving them: the YAML keeps its order and comments, visitors
keep the approved text until approval, and `bot content check` understands `pending:`."""
from __future__ import annotations

import datetime as dt
import difflib

import pytest

from bot.content.check import check_project
from bot.content.store import ContentStore, load_library
from bot.settings import get_settings
from bot.content import edits
from bot.content.yaml_io import YamlDocument

NEW_TEXT = ("Ketamine was first made in the 1960s as a medicine for surgery. Years later, "
            "small studies found that it could ease depression for some people within hours. "
            "Research on it still goes on today.")
TODAY = dt.date(2026, 11, 26)


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def library(paths):
    return load_library(paths.content_dir)


def test_every_project_yaml_file_round_trips_byte_for_byte():
    root = get_settings().root
    for path in sorted((root / "data" / "content").glob("*.yml")) + sorted((root / "data" / "nlu").glob("*.yml")):
        YamlDocument(path)  # raises LayoutNotPreserved if a save would reformat it


def test_an_edit_of_an_approved_answer_waits_under_pending(content_paths):
    file = content_paths.content_dir / "about.yml"
    before = file.read_text()
    live = library(content_paths).answers["about_history"]
    draft = edits.Draft.from_form(live.question, NEW_TEXT, "S36, S15")
    change = edits.save_draft(content_paths, "about_history", draft, "Jo Park, RN",
                              edits.version_of(live), today=TODAY)
    assert change["waits_for_review"]
    after = file.read_text()
    diff = changed_lines(before, after)
    assert all(line.startswith("+") for line in diff), diff  # only added lines
    assert "+    pending:" in diff and "+      edited_by: Jo Park, RN" in diff
    assert "+      edited_on: 2026-11-26" in diff
    assert after.startswith("# About ketamine")  # the comment at the top survives
    answer = library(content_paths).answers["about_history"]
    assert answer.text == live.text  # visitors still get the approved text
    assert answer.pending.text == NEW_TEXT and answer.pending.edited_by == "Jo Park, RN"


def test_approval_makes_the_edit_live_and_signs_it(content_paths):
    file = content_paths.content_dir / "about.yml"
    original = file.read_text()
    live = library(content_paths).answers["about_history"]
    edits.save_draft(content_paths, "about_history",
                     edits.Draft.from_form(live.question, NEW_TEXT, "S36 S15"), "Jo Park, RN", today=TODAY)
    pending = library(content_paths).answers["about_history"]
    edits.approve(content_paths, "about_history", "Dr. Rivera, medical director",
                  edits.version_of(pending), today=TODAY)
    answer = library(content_paths).answers["about_history"]
    assert (answer.text, answer.status, answer.pending) == (NEW_TEXT, "approved", None)
    assert answer.reviewed_by == "Dr. Rivera, medical director" and answer.reviewed_on == TODAY
    diff = changed_lines(original, file.read_text())
    changed_keys = {line[1:].split(":")[0].strip() for line in diff if ":" in line}
    assert changed_keys <= {"reviewed_by", "reviewed_on"}, diff  # and the wrapped text lines
    assert "staff_note" in file.read_text()  # neighbouring fields untouched


def test_approval_is_refused_while_the_check_finds_errors(content_paths):
    file = content_paths.content_dir / "about.yml"
    live = library(content_paths).answers["about_history"]
    edits.save_draft(content_paths, "about_history", edits.Draft.from_form(
        live.question, NEW_TEXT + " It is a miracle.", "S36"), "Jo Park, RN")
    saved = file.read_text()
    with pytest.raises(edits.ApprovalBlocked) as blocked:
        edits.approve(content_paths, "about_history", "Dr. Rivera")
    assert any("miracle" in f.message for f in blocked.value.findings)
    assert file.read_text() == saved


def test_a_stale_form_cannot_overwrite_someone_elses_change(content_paths):
    live = library(content_paths).answers["about_history"]
    seen = edits.version_of(live)
    edits.save_draft(content_paths, "about_history",
                     edits.Draft.from_form(live.question, NEW_TEXT, "S36"), "First editor", seen)
    with pytest.raises(edits.EditRefused, match="someone else changed"):
        edits.save_draft(content_paths, "about_history",
                         edits.Draft.from_form(live.question, NEW_TEXT + " More.", "S36"),
                         "Second editor", seen)


def test_undoing_an_edit_removes_the_pending_block(content_paths):
    file = content_paths.content_dir / "about.yml"
    original = file.read_text()
    live = library(content_paths).answers["about_history"]
    edits.save_draft(content_paths, "about_history", edits.Draft.from_form(live.question, NEW_TEXT, "S36"), "Jo")
    edits.save_draft(content_paths, "about_history",
                     edits.Draft.from_form(live.question, live.text, " ".join(live.sources)), "Jo")
    assert file.read_text() == original


def test_discarding_the_waiting_edit_restores_the_file(content_paths):
    file = content_paths.content_dir / "about.yml"
    original = file.read_text()
    live = library(content_paths).answers["about_history"]
    edits.save_draft(content_paths, "about_history", edits.Draft.from_form(live.question, NEW_TEXT, "S36"), "Jo")
    edits.discard_pending(content_paths, "about_history")
    assert file.read_text() == original


def test_a_new_answer_is_a_draft_at_the_end_of_its_topic_file(content_paths):
    file = content_paths.content_dir / "cost.yml"
    before = file.read_text()
    edits.create_draft(content_paths, "cost", "cost_payment_plans", edits.Draft.from_form(
        "Do you offer payment plans?", NEW_TEXT, "S43"))
    after = file.read_text()
    assert after.startswith(before)
    answer = library(content_paths).answers["cost_payment_plans"]
    assert answer.status == "draft" and answer.reviewed_on is None
    with pytest.raises(edits.EditRefused, match="already used"):
        edits.create_draft(content_paths, "cost", "cost_payment_plans",
                           edits.Draft.from_form("Again?", NEW_TEXT, "S43"))
    with pytest.raises(edits.EditRefused, match="lower-case"):
        edits.create_draft(content_paths, "cost", "Bad Id", edits.Draft.from_form("Q?", NEW_TEXT, "S43"))
    # A draft edit changes it in place (there is no live text to protect).
    edits.save_draft(content_paths, "cost_payment_plans",
                     edits.Draft.from_form("Can I pay in parts?", NEW_TEXT, "S43"), "Jo")
    changed = library(content_paths).answers["cost_payment_plans"]
    assert changed.question == "Can I pay in parts?" and changed.pending is None
    result = check_project(get_settings().root, content_dir=content_paths.content_dir,
                           nlu_dir=content_paths.nlu_dir)
    assert not result.errors, [f.message for f in result.errors]


def test_the_content_check_reads_pending_edits_like_live_text(content_paths):
    root = get_settings().root
    live = library(content_paths).answers["about_history"]
    edits.save_draft(content_paths, "about_history", edits.Draft.from_form(
        live.question, NEW_TEXT, "S36"), "Jo Park, RN")
    clean = check_project(root, content_dir=content_paths.content_dir, nlu_dir=content_paths.nlu_dir)
    assert not clean.findings, [f.message for f in clean.findings]

    edits.save_draft(content_paths, "about_history", edits.Draft.from_form(
        live.question, NEW_TEXT + " A miracle <b>cure</b>.", "S36 S999"), "Jo Park, RN")
    result = check_project(root, content_dir=content_paths.content_dir, nlu_dir=content_paths.nlu_dir)
    messages = [f.message for f in result.errors]
    assert any("waiting for review" in m and "miracle" in m for m in messages), messages
    assert any("S999" in m for m in messages) and any("HTML" in m for m in messages)
    text_line = next(i for i, line in enumerate(
        (content_paths.content_dir / "about.yml").read_text().splitlines(), 1)
        if line.strip() == "text: >-" and i > 30)
    miracle = next(f for f in result.errors if "miracle" in f.message)
    assert miracle.line == text_line  # points at the pending text, not the live one


def test_the_running_store_serves_the_approved_text_only(content_paths):
    store = ContentStore(content_paths.content_dir, check_interval=0)
    live = store.library().approved("about_history")
    edits.save_draft(content_paths, "about_history",
                     edits.Draft.from_form(live.question, NEW_TEXT, "S36"), "Jo")
    assert store.library().approved("about_history").text == live.text
    edits.approve(content_paths, "about_history", "Dr. Rivera")
    assert store.library().approved("about_history").text == NEW_TEXT


def test_saves_leave_no_temporary_files(content_paths):
    live = library(content_paths).answers["about_history"]
    edits.save_draft(content_paths, "about_history", edits.Draft.from_form(live.question, NEW_TEXT, "S36"), "Jo")
    leftovers = [p.name for p in content_paths.content_dir.iterdir() if not p.name.endswith(".yml")]
    assert leftovers == []
