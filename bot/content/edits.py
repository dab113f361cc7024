"""Changing answers from the console: drafts, edits waiting for review, approval.

Design: an approved answer keeps serving its approved text while an edit waits
for review. The edit is stored inside the same YAML entry under `pending:`
(question, text, sources, edited_by, edited_on); `bot content check` checks it
like live text, and the running assistant ignores it. Approval moves it into
the live fields and records reviewed_by / reviewed_on, so the visitor-facing
text changes only then (and reaches visitors within about a second: the
content store re-reads changed files). A draft answer has no live text, so it
is edited in place.

Four eyes: nobody approves text they wrote. The console records, by account,
who wrote the text now waiting for review (FourEyes, in the staff database;
titles sign the YAML but two people may share one), and approval refuses
those accounts. The YAML's own `edited_by` is checked too, so an edit saved
before that record existed cannot be approved under its author's signature.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from sqlalchemy import delete, select

from bot.content.check import AnswerContext, Finding, check_answer_record
from bot.content.files import SOURCES_FILE, RawRecord, answer_files, raw_answers, record_of, to_answer
from bot.content.model import ANSWER_ID_PATTERN, TOPICS, Answer
from bot.content.yaml_io import YamlDocument, folded, locked
from bot.db import session_scope
from bot.file_watch import files_signature
from bot.models import AnswerAuthor


class EditRefused(ValueError):
    """A change the console will not make; the message is for staff."""


class ApprovalBlocked(EditRefused):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("fix the errors below before approving")
        self.findings = findings


@dataclass(frozen=True)
class ContentPaths:
    content_dir: Path
    nlu_dir: Path
    clinic_file: Path


@dataclass(frozen=True)
class Draft:
    """What an editor typed, with whitespace and source ids tidied."""

    question: str
    text: str
    sources: tuple[str, ...]

    @classmethod
    def from_form(cls, question: str, text: str, sources: str | list[str]) -> "Draft":
        if isinstance(sources, str):
            sources = sources.replace(",", " ").split()
        return cls(question=" ".join(str(question).split()), text=" ".join(str(text).split()),
                   sources=tuple(str(s).strip().upper() for s in sources if str(s).strip()))


def version_of(answer: Answer) -> str:
    """A fingerprint of what the editor saw, to refuse saving over someone else's change."""
    pending = answer.pending
    state = [answer.question, answer.text, list(answer.sources), answer.status,
             str(answer.reviewed_on), answer.reviewed_by,
             None if pending is None else [pending.question, pending.text, list(pending.sources)]]
    return hashlib.sha256(json.dumps(state).encode()).hexdigest()[:16]


class FourEyes:
    """The account making a change, and who wrote the text waiting for review.

    Passed to every change the console makes; the changes call it while they
    hold the content lock, so a save and an approval cannot interleave.
    """

    def __init__(self, database_url: str, account_id: int) -> None:
        self.database_url = database_url
        self.account_id = account_id

    def wrote(self, answer_id: str) -> None:
        """Recorded before the file is written: a crash in between only makes approval stricter."""
        if self.account_id in authors_of(self.database_url, answer_id):
            return
        with session_scope(self.database_url) as session:
            session.add(AnswerAuthor(answer_id=answer_id, user_id=self.account_id))

    def refuse_own(self, answer_id: str) -> None:
        if self.account_id in authors_of(self.database_url, answer_id):
            raise EditRefused("you wrote (part of) this text; another reviewer must approve it")

    def settled(self, answer_id: str) -> None:
        """Nothing written waits any more: approved, discarded or undone."""
        with session_scope(self.database_url) as session:
            session.execute(delete(AnswerAuthor).where(AnswerAuthor.answer_id == answer_id))


def authors_of(database_url: str, answer_id: str) -> set[int]:
    """Accounts that wrote the answer's text waiting for review."""
    with session_scope(database_url) as session:
        return set(session.execute(select(AnswerAuthor.user_id)
                                   .where(AnswerAuthor.answer_id == answer_id)).scalars())


def flow_list(items) -> CommentedSeq:
    """[S1, S2] on one line, like the hand-written files."""
    seq = CommentedSeq(list(items))
    seq.fa.set_flow_style()
    return seq


# --- reading ----------------------------------------------------------------------


def existing_ids(paths: ContentPaths) -> set[str]:
    return {str(record.data.get("id", "")).strip()
            for path in answer_files(paths.content_dir) for record in raw_answers(path)}


def draft_record(paths: ContentPaths, answer_id: str, draft: Draft, topic: str = "",
                 new: bool = False) -> RawRecord:
    """The entry as it would be if the draft went live, for the check while typing.

    Line numbers stay those of the stored entry, so findings still point at it.
    """
    for path in [] if new else answer_files(paths.content_dir):
        for record in raw_answers(path):
            if str(record.data.get("id", "")).strip() == answer_id:
                data = {k: v for k, v in record.data.items() if k != "pending"}
                data.update(question=draft.question, text=draft.text, sources=list(draft.sources))
                return RawRecord(data, path, record.line, record.key_lines)
    data = {"id": answer_id, "topic": topic, "question": draft.question, "text": draft.text,
            "sources": list(draft.sources), "status": "draft"}
    return RawRecord(data, paths.content_dir / f"{topic or 'new'}.yml", 1, {})


def findings_for(paths: ContentPaths, record: RawRecord) -> list[Finding]:
    """`bot content check` findings for one entry."""
    context = _context(paths, _signature(paths))
    return check_answer_record(record, paths.content_dir, paths.nlu_dir, paths.clinic_file,
                               context=context)


def _signature(paths: ContentPaths) -> tuple:
    return files_signature([paths.content_dir / SOURCES_FILE, paths.clinic_file,
                            *sorted(paths.nlu_dir.glob("*.yml"))])


@functools.lru_cache(maxsize=4)
def _context(paths: ContentPaths, _signature: tuple) -> AnswerContext:
    """Re-read only when sources.yml, clinic.yml or the NLU files change."""
    return AnswerContext.load(paths.content_dir, paths.nlu_dir, paths.clinic_file)


def _find(paths: ContentPaths, answer_id: str) -> tuple[YamlDocument, CommentedMap]:
    for path in answer_files(paths.content_dir):
        if not any(str(r.data.get("id", "")).strip() == answer_id for r in raw_answers(path)):
            continue
        document = YamlDocument(path)
        for entry in document.data.get("answers") or []:
            if isinstance(entry, dict) and str(entry.get("id", "")).strip() == answer_id:
                return document, entry
    raise EditRefused(f"there is no answer with id '{answer_id}'")


def _check_version(document: YamlDocument, entry: CommentedMap, expected: str | None) -> Answer:
    answer = to_answer(record_of(entry, document.path))
    if expected is not None and expected != version_of(answer):
        raise EditRefused("someone else changed this answer while you were editing; "
                          "open it again to see their change")
    return answer


# --- the changes ------------------------------------------------------------------


def save_draft(paths: ContentPaths, answer_id: str, draft: Draft, editor: str,
               expected_version: str | None = None, today: dt.date | None = None, *,
               four_eyes: FourEyes | None = None) -> dict[str, Any]:
    """Save an edit: approved answers get a `pending:` edit; drafts change in place.

    four_eyes records the editor as an author of the waiting text. Returns
    what changed, for the audit log.
    """
    today = today or dt.date.today()
    if not draft.text or not draft.question:
        raise EditRefused("write both the question and the answer text")
    with locked(paths.content_dir):
        document, entry = _find(paths, answer_id)
        answer = _check_version(document, entry, expected_version)
        shown = answer.pending or answer
        before = _fields(shown.question, shown.text, shown.sources)
        after = _fields(draft.question, draft.text, draft.sources)
        undone = answer.approved and after == _fields(answer.question, answer.text,
                                                      answer.sources)
        if four_eyes is not None:
            if undone:
                four_eyes.settled(answer_id)
            elif after != before:
                four_eyes.wrote(answer_id)
        if not answer.approved:
            entry["question"] = draft.question
            entry["text"] = folded(draft.text)
            entry["sources"] = flow_list(draft.sources)
        elif undone:
            entry.pop("pending", None)  # the edit was undone: nothing waits for review
        else:
            entry["pending"] = CommentedMap([
                ("question", draft.question),
                ("text", folded(draft.text)),
                ("sources", flow_list(draft.sources)),
                ("edited_by", editor),
                ("edited_on", today),
            ])
        document.save()
    return {"file": document.path.name, "before": before, "after": after,
            "waits_for_review": answer.approved}


def discard_pending(paths: ContentPaths, answer_id: str,
                    expected_version: str | None = None, *,
                    four_eyes: FourEyes | None = None) -> dict[str, Any]:
    with locked(paths.content_dir):
        document, entry = _find(paths, answer_id)
        answer = _check_version(document, entry, expected_version)
        if answer.pending is None:
            raise EditRefused("this answer has no edit waiting for review")
        entry.pop("pending")
        document.save()
        if four_eyes is not None:
            four_eyes.settled(answer_id)
    pending = answer.pending
    return {"file": document.path.name,
            "discarded": _fields(pending.question, pending.text, pending.sources)}


def approve(paths: ContentPaths, answer_id: str, reviewer: str,
            expected_version: str | None = None, today: dt.date | None = None, *,
            four_eyes: FourEyes | None = None) -> dict[str, Any]:
    """Make the answer (or its waiting edit) what visitors see, signed by the reviewer.

    Refused while `bot content check` finds an error in the result, so a
    reviewer cannot publish text the check would fail; and refused to anyone
    who wrote the text (four_eyes), or whose signature is its edited_by.
    """
    today = today or dt.date.today()
    with locked(paths.content_dir):
        document, entry = _find(paths, answer_id)
        answer = _check_version(document, entry, expected_version)
        if four_eyes is not None:
            four_eyes.refuse_own(answer_id)
        if answer.pending is not None and answer.pending.edited_by.strip() == reviewer.strip():
            raise EditRefused(f"this edit is signed as yours ({answer.pending.edited_by}); "
                              "another reviewer must approve it")
        before = _fields(answer.question, answer.text, answer.sources)
        before.update(status=answer.status, reviewed_by=answer.reviewed_by,
                      reviewed_on=str(answer.reviewed_on or ""))
        if answer.pending is not None:
            entry.pop("pending")
            entry["question"] = answer.pending.question
            entry["text"] = folded(answer.pending.text)
            entry["sources"] = flow_list(answer.pending.sources)
        _set_before(entry, "reviewed_by", reviewer, "status")
        _set_before(entry, "reviewed_on", today, "status")
        entry["status"] = "approved"
        record = record_of(entry, document.path)
        errors = [f for f in findings_for(paths, record) if f.severity == "error"]
        if errors:
            raise ApprovalBlocked(errors)
        document.save()
        if four_eyes is not None:
            four_eyes.settled(answer_id)
    live = to_answer(record)
    after = _fields(live.question, live.text, live.sources)
    after.update(status="approved", reviewed_by=reviewer, reviewed_on=today.isoformat())
    return {"file": document.path.name, "before": before, "after": after}


def create_draft(paths: ContentPaths, topic: str, answer_id: str, draft: Draft, *,
                 four_eyes: FourEyes | None = None) -> dict[str, Any]:
    """A new answer, as a draft at the end of its topic's file; its author cannot approve it."""
    answer_id = answer_id.strip()
    if topic not in TOPICS:
        raise EditRefused("choose one of the topics")
    if not ANSWER_ID_PATTERN.match(answer_id):
        raise EditRefused("the id uses lower-case letters, digits and '_' only, "
                          "starting with a letter (for example cost_payment_plans)")
    if not draft.question or not draft.text:
        raise EditRefused("write both the question and the answer text")
    path = paths.content_dir / f"{topic}.yml"
    with locked(paths.content_dir):
        if answer_id in existing_ids(paths):
            raise EditRefused(f"the id '{answer_id}' is already used; choose another")
        if not path.exists():
            path.write_text(f"# {topic}\nanswers: []\n", encoding="utf-8")
        document = YamlDocument(path)
        answers = document.data.get("answers")
        if not isinstance(answers, list):
            raise EditRefused(f"{path.name} has no 'answers:' list; fix it in a text editor")
        if four_eyes is not None:
            four_eyes.settled(answer_id)  # rows left from an earlier answer with this id
            four_eyes.wrote(answer_id)
        answers.append(CommentedMap([
            ("id", answer_id),
            ("topic", topic),
            ("question", draft.question),
            ("text", folded(draft.text)),
            ("sources", flow_list(draft.sources)),
            ("status", "draft"),
        ]))
        document.save()
    return {"file": path.name, "after": _fields(draft.question, draft.text, draft.sources)}


def _set_before(entry: CommentedMap, key: str, value: Any, anchor: str) -> None:
    """Set key; a new key goes before anchor so entries keep their usual order."""
    if key in entry or anchor not in entry:
        entry[key] = value
    else:
        entry.insert(list(entry.keys()).index(anchor), key, value)


def _fields(question: str, text: str, sources) -> dict[str, Any]:
    return {"question": question, "text": text, "sources": list(sources)}
