"""`python -m bot content check --launch`: has this clinic reviewed every live answer?

The answers shipped in data/content/ are example content for a fictional
clinic (bot/content/example_content.py); nobody reviewed them clinically.
A clinic may go live only once its own reviewers have approved each answer
visitors can get. This check says, one line per answer, which are not there yet.

What counts as approved: the record the staff console writes when a reviewer
presses Approve, i.e. the `answer.approved` entry in the audit log
(bot/staff/audit.py). Only accounts with the approving permission (the
reviewer role) reach that button, and the entry stores the question, text and
sources approved. `reviewed_by:` in the YAML is not proof: anyone who can
edit the files can type a name there, and the shipped files carry the example
marker. For every live (approved) answer the newest approval entry must:

- be for exactly the question, text and sources visitors get now (an edit by
  hand after the approval needs a new approval);
- be signed by an account of this installation that still has the reviewer
  role (a sign-off by someone whose role was taken away does not count);
- match the answer's `reviewed_by:` (not the example marker).

And the audit log must verify (`python -m bot audit verify`): entries in a
log that was changed prove nothing. Drafts are never served, so they are not
listed; an edit waiting for review does not change what visitors get, so it
does not block launch either.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from bot.content.check import Finding
from bot.content.example_content import is_example
from bot.content.files import ContentFileError, answer_files, raw_answers, to_answer
from bot.content.model import Answer
from bot.db import session_scope
from bot.models import AuditEntry, StaffUser
from bot.staff import audit
from bot.staff.accounts import PERMISSIONS, AccountError, normalise_email, parse_roles

# What the console's Approve button writes to the audit log (bot/staff/web/answers.py).
APPROVAL_ACTION = "answer.approved"
_ACTOR_EMAIL = re.compile(r"<([^<>\s]+)>\s*$")


@dataclass(frozen=True)
class Approval:
    """The newest approval the console recorded for one answer."""

    actor: str
    at: str
    after: dict[str, Any]

    @property
    def email(self) -> str:
        match = _ACTOR_EMAIL.search(self.actor)
        return normalise_email(match.group(1)) if match else ""


@dataclass
class LaunchReport:
    live: int = 0
    findings: list[Finding] = field(default_factory=list)  # one per answer not ready
    problems: list[str] = field(default_factory=list)  # about the installation as a whole

    @property
    def ok(self) -> bool:
        return not self.findings and not self.problems

    def lines(self, root: Path) -> Iterable[str]:
        for problem in self.problems:
            yield f"launch: error: {problem}"
        for finding in sorted(self.findings, key=lambda f: (str(f.file), f.line)):
            yield finding.format(root)
        ready = self.live - len(self.findings)
        if self.ok:
            yield (f"launch check: all {self.live} live answers were approved by a reviewer "
                   f"in this installation's staff console")
        else:
            yield (f"launch check: NOT READY. {ready} of {self.live} live answers approved by a "
                   f"reviewer in this installation's staff console; approve the others there "
                   f"before going live")


def launch_check(content_dir: Path, database_url: str) -> LaunchReport:
    report = LaunchReport()
    approvals, reviewers = _recorded(database_url, report)
    for path in answer_files(content_dir):
        try:
            records = raw_answers(path)
        except ContentFileError as error:
            report.problems.append(f"{error.file.name}:{error.line}: {error.message}")
            continue
        for record in records:
            answer = to_answer(record)
            if not answer.id or not answer.approved:
                continue  # drafts are never served
            report.live += 1
            problem = _not_ready(answer, approvals.get(answer.id), reviewers)
            if problem:
                report.findings.append(Finding(answer.file, answer.line, "error", problem))
    return report


def _not_ready(answer: Answer, approval: Approval | None, reviewers: set[str]) -> str:
    """Why this live answer is not launch-ready, or "" when it is."""
    label = f"answer '{answer.id}'"
    if approval is None:
        if is_example(answer):
            return (f"{label} is still example content, not clinically reviewed; a reviewer "
                    f"must read it and approve it in the staff console")
        return (f"{label} names '{answer.reviewed_by or 'nobody'}' as reviewer, but no approval "
                f"is recorded in this installation's staff console; a reviewer must approve it there")
    who = f"{approval.actor} on {approval.at}"
    if _as_logged(_live_fields(answer)) != {key: approval.after.get(key)
                                           for key in ("question", "text", "sources")}:
        return (f"{label} was changed after {who} approved it; a reviewer must approve "
                f"the current text in the staff console")
    if approval.email not in reviewers:
        return (f"{label} was approved by {who}, who is not a reviewer in this installation "
                f"(any more); a reviewer must approve it again")
    if is_example(answer) or answer.reviewed_by != approval.after.get("reviewed_by"):
        return (f"{label} was approved by {who}, but its file says reviewed_by: "
                f"'{answer.reviewed_by}'; approve it again so the file names the reviewer")
    return ""


def _live_fields(answer: Answer) -> dict[str, Any]:
    return {"question": answer.question, "text": answer.text, "sources": list(answer.sources)}


def _as_logged(value: dict[str, Any]) -> dict[str, Any]:
    """As the audit log stores it: contact details masked, through JSON."""
    return json.loads(json.dumps(audit._masked(value), default=str))


def _recorded(database_url: str, report: LaunchReport) -> tuple[dict[str, Approval], set[str]]:
    """The newest console approval of each answer, and the reviewers' emails."""
    if database_url.startswith("sqlite:///") and not Path(database_url[len("sqlite:///"):]).exists():
        return {}, set()  # no staff database yet: nothing was approved here
    try:
        return _read_approvals(database_url, report)
    except SQLAlchemyError as error:  # the URL may hold a password: name the error only
        report.problems.append(f"cannot read the staff database ({type(error).__name__}); "
                               f"check DATABASE_URL")
        return {}, set()


def _read_approvals(database_url: str, report: LaunchReport) -> tuple[dict[str, Approval], set[str]]:
    verification = audit.verify(database_url)
    if not verification.ok:
        broken = verification.broken
        report.problems.append(
            f"the audit log was altered (entry {broken.id}: {broken.reason}), so the "
            f"approvals in it prove nothing; run 'python -m bot audit verify'")
        return {}, set()
    approvals: dict[str, Approval] = {}
    with session_scope(database_url) as session:
        entries = session.execute(select(AuditEntry).where(AuditEntry.action == APPROVAL_ACTION)
                                  .order_by(AuditEntry.id)).scalars()
        for entry in entries:
            try:
                details = json.loads(entry.details or "{}")
            except ValueError:
                continue
            after = details.get("after") if isinstance(details, dict) else None
            if isinstance(after, dict):
                approvals[entry.target] = Approval(entry.actor, entry.at.strftime("%Y-%m-%d"), after)
        reviewers = {normalise_email(user.email)
                     for user in session.execute(select(StaffUser)).scalars()
                     if _roles(user.roles) & PERMISSIONS["answers.approve"]}
    return approvals, reviewers


def _roles(value: str) -> frozenset[str]:
    try:
        return parse_roles(value)
    except AccountError:
        return frozenset()
