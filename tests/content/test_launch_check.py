"""Issue #12, item 3: honest review records and `python -m bot content check --launch`.

The shipped answers are example content nobody reviewed. The launch check
fails, one line per live answer, until a reviewer of this installation has
approved each one in the staff console (the audit-log record the Approve
button writes), and passes after. Approvals here go through the console's
own route with Flask's test client, as a reviewer's browser would.
"""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import edits
from bot.content.check import check_project
from bot.content.example_content import EXAMPLE_REVIEWER, is_example
from bot.content.store import load_library
from bot.settings import Settings, get_settings
from bot.staff import accounts
from bot.staff.app import create_app
from bot.staff.launch_check import launch_check

ROOT = get_settings().root
PASSWORD = "a long enough test passphrase"
TOKEN = re.compile(r'name="csrf(?:_token|-token)" (?:value|content)="([^"]+)"')


def database_url(project: Path) -> str:
    return f"sqlite:///{project / 'var' / 'clinic.db'}"


def live_ids(content_dir: Path) -> set[str]:
    return {a.id for a in load_library(content_dir).answers.values() if a.approved}


class Console:
    """The staff console on the project copy, and a reviewer signed in to it."""

    def __init__(self, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.project = project
        self.content = project / "data" / "content"
        self.database_url = database_url(project)
        self.paths = edits.ContentPaths(self.content, project / "data" / "nlu", project / "clinic.yml")
        monkeypatch.setenv("DATABASE_URL", self.database_url)
        monkeypatch.setenv("CONTENT_DIR", str(self.content))
        monkeypatch.setenv("CLINIC_FILE", str(project / "clinic.yml"))
        app = create_app(Settings.from_env(), tracker_db_url=f"sqlite:///{project / 'tracker.db'}",
                         nlu_dir=project / "data" / "nlu", secret="test-secret-key-that-is-long-enough")
        app.config["TESTING"] = True
        self.app = app
        self.reviewer = self.sign_in("director@clinic.example", "Dr. Rivera, medical director",
                                     "reviewer")

    def sign_in(self, email: str, title: str, *roles: str):
        self.member = accounts.add_user(self.database_url, email, title, list(roles), PASSWORD)
        client = self.app.test_client()
        token = TOKEN.search(client.get("/login").text).group(1)
        response = client.post("/login", data={"email": email, "password": PASSWORD,
                                               "csrf_token": token})
        assert response.status_code == 302, response.text
        return client

    def approve(self, answer_id: str) -> None:
        """What the reviewer's Approve button sends, from the answer's own page."""
        page = self.reviewer.get(f"/answers/{answer_id}").text
        assert 'id="approve"' in page
        version = page.split('name="version" value="')[1].split('"')[0]
        response = self.reviewer.post(f"/answers/{answer_id}/approve", data={
            "csrf_token": TOKEN.search(page).group(1), "version": version})
        assert response.status_code == 302
        assert "Approved." in self.reviewer.get(response.headers["Location"]).text, answer_id


def run_cli(project: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in ("CONTENT_DIR", "CLINIC_FILE", "KETAMINE_BOT_ROOT")}
    env.update(DATABASE_URL=database_url(project), RASA_TELEMETRY_ENABLED="false",
               PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot", "content", "check", "--launch",
                           "--root", str(project)], capture_output=True, text=True, cwd=ROOT,
                          env=env)


def answer_lines(output: str) -> list[str]:
    return [line for line in output.splitlines()
            if line.startswith("data/content/") and "error: answer '" in line]


# --- the shipped tree -----------------------------------------------------------------


def test_shipped_answers_say_they_are_example_content() -> None:
    library = load_library(ROOT / "data" / "content")
    for answer in library.answers.values():
        assert is_example(answer) and answer.reviewed_on is None, answer.id
        assert answer.reviewed_by == EXAMPLE_REVIEWER
    text = "".join(p.read_text() for p in (ROOT / "data" / "content").glob("*.yml"))
    assert "medical director" not in text and "reviewed_on:" not in text


def test_the_launch_check_fails_on_the_shipped_tree_one_line_per_answer(tmp_path: Path) -> None:
    content = ROOT / "data" / "content"
    report = launch_check(content, f"sqlite:///{tmp_path / 'none.db'}")
    assert not report.ok and report.problems == []
    ids = [re.search(r"answer '([a-z0-9_]+)'", f.message).group(1) for f in report.findings]
    assert sorted(ids) == sorted(live_ids(content))  # each live answer once
    assert report.live == len(ids) >= 60
    for finding in report.findings:
        assert "still example content, not clinically reviewed" in finding.message
        assert finding.file.parent == content and finding.line > 1
    assert not (tmp_path / "none.db").exists()  # checking creates no database


def test_the_command_fails_on_the_shipped_tree(project: Path) -> None:
    run = run_cli(project)
    assert run.returncode == 1, run.stdout + run.stderr
    lines = answer_lines(run.stdout)
    assert len(lines) == len(live_ids(project / "data" / "content")), run.stdout
    assert all("is still example content" in line for line in lines)
    assert "launch check: NOT READY. 0 of" in run.stdout
    # The launch lines are the only errors: as a demo, the example content passes the check.
    assert check_project(project).errors == []
    assert len([line for line in run.stdout.splitlines() if ": error: " in line]) == len(lines)


def test_a_name_typed_into_the_file_is_not_an_approval(project: Path) -> None:
    content = project / "data" / "content"
    for path in content.glob("*.yml"):
        path.write_text(path.read_text().replace(
            f"reviewed_by: {EXAMPLE_REVIEWER}\n",
            "reviewed_by: Dr. Rivera, medical director\n    reviewed_on: 2026-11-30\n"))
    assert not any(is_example(a) for a in load_library(content).answers.values())
    report = launch_check(content, database_url(project))
    assert len(report.findings) == report.live > 0
    assert all("no approval is recorded in this installation's staff console" in f.message
               for f in report.findings)


def test_an_approved_answer_needs_a_review_date_unless_it_is_example_content(project: Path) -> None:
    path = project / "data" / "content" / "cost.yml"
    text = path.read_text()
    path.write_text(text.replace(f"reviewed_by: {EXAMPLE_REVIEWER}\n",
                                 "reviewed_by: Dr. Rivera, medical director\n", 1))
    errors = [f.message for f in check_project(project).errors if "cost.yml" in str(f.file)]
    assert errors == ["answer 'cost_overview' is missing 'reviewed_on:'"], errors


# --- approving in the console -----------------------------------------------------------


def test_it_passes_once_a_reviewer_approved_every_live_answer_in_the_console(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    console = Console(project, monkeypatch)
    content = console.content
    ids = sorted(live_ids(content))
    first_page = console.reviewer.get("/", follow_redirects=True).text
    assert 'id="example-content-banner"' in first_page
    assert f"{len(ids)} of {len(ids)} live answers are still example content" in first_page

    for answer_id in ids[:-1]:
        console.approve(answer_id)
    report = launch_check(content, console.database_url)
    assert [f.message.split("'")[1] for f in report.findings] == [ids[-1]]
    assert f"1 of {len(ids)} live answers is still example content" in \
        console.reviewer.get("/answers").text

    console.approve(ids[-1])
    report = launch_check(content, console.database_url)
    assert report.ok, [f.message for f in report.findings] + report.problems
    assert report.live == len(ids)
    signed = {a.reviewed_by for a in load_library(content).answers.values() if a.approved}
    assert signed == {"Dr. Rivera, medical director"}
    assert 'id="example-content-banner"' not in console.reviewer.get("/answers").text
    assert check_project(project).errors == []

    run = run_cli(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert answer_lines(run.stdout) == [], run.stdout
    assert f"launch check: all {len(ids)} live answers were approved" in run.stdout


def test_an_approval_covers_only_the_text_that_was_approved(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    console = Console(project, monkeypatch)
    console.approve("side_effects_duration")
    flagged = {f.message.split("'")[1] for f in launch_check(console.content, console.database_url).findings}
    assert "side_effects_duration" not in flagged and len(flagged) == len(live_ids(console.content)) - 1

    # Changed by hand after the approval: the sign-off no longer covers it.
    path = console.content / "side_effects.yml"
    text = path.read_text()
    assert "Most side effects are short." in text
    path.write_text(text.replace("Most side effects are short.", "Most side effects are brief.", 1))
    findings = [f for f in launch_check(console.content, console.database_url).findings
                if "'side_effects_duration'" in f.message]
    assert len(findings) == 1
    assert "was changed after Dr. Rivera, medical director <director@clinic.example>" \
           " on " in findings[0].message


def test_an_edit_approved_by_another_reviewer_counts(project: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    console = Console(project, monkeypatch)
    answer = load_library(console.content).answers["side_effects_nausea"]
    edits.save_draft(console.paths, "side_effects_nausea",
                     edits.Draft.from_form(answer.question, answer.text.replace("It might.", "It can."),
                                           list(answer.sources)), "Jo Park, RN")
    before = {f.message.split("'")[1] for f in launch_check(console.content, console.database_url).findings}
    assert "side_effects_nausea" in before  # a waiting edit is not an approval
    console.approve("side_effects_nausea")
    after = {f.message.split("'")[1] for f in launch_check(console.content, console.database_url).findings}
    assert "side_effects_nausea" not in after
    assert load_library(console.content).answers["side_effects_nausea"].text.startswith("It can.")


def test_approvals_by_someone_who_is_no_longer_a_reviewer_do_not_count(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    console = Console(project, monkeypatch)
    console.approve("clinic_contact")
    reviewer = console.member
    admin = accounts.add_user(console.database_url, "admin@clinic.example", "Sam Lee", ["admin"],
                              PASSWORD)
    accounts.change_roles(console.database_url, reviewer.id, ["editor"], by=admin)
    findings = [f.message for f in launch_check(console.content, console.database_url).findings
                if "'clinic_contact'" in f.message]
    assert len(findings) == 1 and "who is not a reviewer in this installation" in findings[0]


def test_an_altered_audit_log_blocks_the_launch(project: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    console = Console(project, monkeypatch)
    console.approve("clinic_contact")
    assert launch_check(console.content, console.database_url).problems == []
    with sqlite3.connect(project / "var" / "clinic.db") as connection:
        connection.execute("DROP TRIGGER staff_audit_no_update")
        connection.execute("UPDATE staff_audit SET actor = 'Somebody <x@clinic.example>' "
                           "WHERE action = 'answer.approved'")
    report = launch_check(console.content, console.database_url)
    assert not report.ok
    assert len(report.problems) == 1 and "audit log was altered" in report.problems[0]
