"""`python -m bot content check`: what staff run before content goes live.

Every finding names a file and a line and says what to do, in words a nurse
or a front-desk manager can act on without reading Python.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import parse_qsl, urlsplit

from bot.clinic import ClinicConfigError, load_clinic, placeholder_values, placeholders_in, fill
from bot.content.example_content import is_example_reviewer
from bot.content.files import (
    SOURCES_FILE,
    ContentFileError,
    RawRecord,
    answer_files,
    pending_record,
    raw_answers,
    raw_sources,
    read_yaml,
    to_answer,
    to_pending,
)
from bot.content.model import (
    ANSWER_ID_PATTERN,
    ANSWER_RESPONSE_PREFIX,
    CONTENT_TEXT_PREFIX,
    FAQ_INTENT_PREFIX,
    STATUSES,
    TOPICS,
    Answer,
)
from bot.content.readability import reading_grade
from bot.content.review import review_overdue
from bot.content.urgent_symptoms import BRIEF_SECTION, says_emergency_number, urgent_symptoms_in

MAX_READING_GRADE = 8.0
MIN_WORDS, MAX_WORDS = 20, 160
KNOWN_FIELDS = {
    "id", "topic", "question", "text", "sources", "reviewed_by",
    "reviewed_on", "status", "staff_note", "pending",
}
REQUIRED_FIELDS = ("id", "topic", "question", "text", "sources", "status")
# A draft nobody has reviewed yet has no reviewer to name; an approved answer must.
# Shipped example content names no reviewer and no date: it says
# `reviewed_by: example content (not clinically reviewed)` (bot/content/example_content.py).
REVIEW_FIELDS = ("reviewed_by", "reviewed_on")
# `pending:` holds an edit of an approved answer that waits for a reviewer
# (written by the staff console); visitors keep the approved text until then.
PENDING_FIELDS = ("question", "text", "sources", "edited_by", "edited_on")
# Words that promise or sell. The brief asks for balanced, uncertain-where-it-is
# wording; these never belong in a medical answer.
HYPE_PATTERN = re.compile(
    r"\b(miracle|miraculous|breakthrough|guarantee[ds]?|cure[sd]?|revolutionary|"
    r"game[- ]changer|life[- ]changing|rewir(?:e|es|ed|ing)|resets?|instant relief|"
    r"proven to work|100 ?%|beacon of hope|amazing results)\b",
    re.IGNORECASE,
)
MARKUP_PATTERN = re.compile(r"<[a-zA-Z/!][^>]*>|\]\(|https?://|www\.")


@dataclass(frozen=True)
class Finding:
    file: Path
    line: int
    severity: str  # "error" or "warning"
    message: str

    def format(self, root: Path) -> str:
        try:
            shown = self.file.relative_to(root)
        except ValueError:
            shown = self.file
        return f"{shown}:{self.line}: {self.severity}: {self.message}"


@dataclass
class CheckResult:
    findings: list[Finding]
    answers_checked: int

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def check_project(
    root: Path,
    today: dt.date | None = None,
    content_dir: Path | None = None,
    nlu_dir: Path | None = None,
    clinic_file: Path | None = None,
) -> CheckResult:
    """Check data/content/ against the clinic file and the NLU data under root.

    The folders can be given separately because the running services may read
    content from CONTENT_DIR and the clinic from CLINIC_FILE.
    """
    content_dir = content_dir or root / "data" / "content"
    nlu_dir = nlu_dir or root / "data" / "nlu"
    today = today or dt.date.today()
    findings: list[Finding] = []

    clinic_values = _clinic_values(clinic_file or root / "clinic.yml", findings)
    source_records = _check_sources(content_dir / SOURCES_FILE, findings)
    sources = set(source_records)
    cited: set[str] | None = set()  # None: an answer file is unreadable, so unknown
    answers: dict[str, Answer] = {}
    count = 0
    for path in answer_files(content_dir):
        try:
            records = raw_answers(path)
        except ContentFileError as error:
            findings.append(Finding(error.file, error.line, "error", error.message))
            cited = None
            continue
        for record in records:
            count += 1
            if cited is not None:
                cited |= _cited_sources(record)
            answer = _check_answer(record, sources, clinic_values, today, findings)
            if answer is None:
                continue
            if answer.id in answers:
                first = answers[answer.id]
                findings.append(
                    Finding(path, record.line, "error",
                            f"the id '{answer.id}' is already used at "
                            f"{first.file.name}:{first.line}; give this answer a new id")
                )
            else:
                answers[answer.id] = answer

    if cited is not None:
        findings.extend(_uncited_sources(content_dir / SOURCES_FILE, source_records, cited))
    findings.extend(_check_nlu_links(nlu_dir, answers))
    findings.extend(_check_system_messages(root, clinic_values))
    return CheckResult(findings, count)


@dataclass(frozen=True)
class AnswerContext:
    """What checking one answer needs from the rest of the project.

    Loaded once and reused by the staff console, which checks an answer on
    every keystroke; parsing every NLU file each time would make typing lag.
    """

    sources: frozenset[str]
    clinic_values: dict[str, str]
    intents: dict[str, tuple[Path, int]]
    responses: dict[str, tuple[Path, int, str]]
    problems: tuple[Finding, ...]  # unreadable clinic or NLU files

    @classmethod
    def load(cls, content_dir: Path, nlu_dir: Path, clinic_file: Path) -> "AnswerContext":
        problems: list[Finding] = []
        clinic_values = _clinic_values(clinic_file, problems)
        sources = _check_sources(content_dir / SOURCES_FILE, [])
        try:
            intents, responses = nlu_answer_links(nlu_dir)
        except ContentFileError as error:
            problems.append(Finding(error.file, error.line, "error", error.message))
            intents, responses = {}, {}
        return cls(frozenset(sources), clinic_values, intents, responses, tuple(problems))


def check_answer_record(
    record: RawRecord,
    content_dir: Path,
    nlu_dir: Path,
    clinic_file: Path,
    today: dt.date | None = None,
    context: AnswerContext | None = None,
) -> list[Finding]:
    """Every finding about one answer, e.g. as a staff member is still typing it.

    Problems elsewhere in the project (another answer, sources.yml) are left
    out: the person editing this answer can only act on this one.
    """
    context = context or AnswerContext.load(content_dir, nlu_dir, clinic_file)
    findings: list[Finding] = list(context.problems)
    answer = _check_answer(record, set(context.sources), context.clinic_values,
                           today or dt.date.today(), findings)
    if answer is not None:
        findings.extend(_answer_link_findings(answer, context.intents, context.responses))
    return findings


def _clinic_values(clinic_path: Path, findings: list[Finding]) -> dict[str, str]:
    try:
        return placeholder_values(load_clinic(clinic_path))
    except (ClinicConfigError, OSError) as error:
        findings.append(Finding(clinic_path, 1, "error", str(error)))
        return {}


# sources.yml: what visitors see under an answer (citation and url), and a note
# for staff only (staff_note, e.g. what could not be confirmed yet).
KNOWN_SOURCE_FIELDS = {"citation", "url", "staff_note"}
YEAR_PATTERN = re.compile(r"\b(?:19|20)\d\d\b")
SEARCH_ENGINE_HOST = re.compile(
    r"^(?:(?:www\.|scholar\.)?google\.[a-z.]+|(?:www\.)?bing\.com|"
    r"(?:www\.|html\.|lite\.)?duckduckgo\.com|search\.yahoo\.com)$"
)
SEARCH_QUERY_KEYS = {"term", "q", "query", "search", "searchterm", "search_query"}


def _check_sources(path: Path, findings: list[Finding]) -> dict[str, RawRecord]:
    """Every source must be a real, dated citation of one work.

    Why: visitors are shown the citation and link under an answer as the
    evidence for it. A search-results link (PubMed `?term=`, Google, Bing,
    DuckDuckGo, Scholar) shows whatever matches today, not the work the answer
    rests on, and a citation without a year hides how old the evidence is.
    Sources no answer cites are checked in check_project, which sees all answers.
    """
    if not path.exists():
        findings.append(Finding(path, 1, "error", "the source list is missing"))
        return {}
    try:
        records = raw_sources(path)
    except ContentFileError as error:
        findings.append(Finding(error.file, error.line, "error", error.message))
        return {}
    for source_id, record in records.items():
        citation = str(record.data.get("citation", "") or "").strip()
        url = str(record.data.get("url", "") or "").strip()
        if not citation:
            findings.append(Finding(path, record.line, "error",
                                    f"source {source_id} has no citation"))
        elif not YEAR_PATTERN.search(citation):
            findings.append(Finding(path, record.line_of("citation"), "error",
                                    f"source {source_id}: the citation has no year; add the year "
                                    f"it was published (for a web page, the year it was checked)"))
        if not re.match(r"^https?://[^\s]+\.[^\s]+", url):
            findings.append(Finding(path, record.line_of("url"), "error",
                                    f"source {source_id} needs a web address starting with https://"))
        elif _is_search_url(url):
            findings.append(Finding(path, record.line_of("url"), "error",
                                    f"source {source_id} links to a search, not to the work itself; "
                                    f"use its doi.org, PubMed or PMC address, or the official page"))
        for key in record.data:
            if str(key) not in KNOWN_SOURCE_FIELDS:
                findings.append(Finding(path, record.line_of(str(key)), "warning",
                                        f"source {source_id} has an unknown field '{key}:' "
                                        f"(use citation, url or staff_note)"))
    return records


def _is_search_url(url: str) -> bool:
    """A search engine, or a search query (term=, q=, query=...) on a search path."""
    parts = urlsplit(url)
    if SEARCH_ENGINE_HOST.match((parts.hostname or "").lower()):
        return True
    keys = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    last_segment = parts.path.rstrip("/").rsplit("/", 1)[-1].lower()
    on_search_path = last_segment in ("", "pubmed", "results") or "search" in last_segment
    return bool(keys & SEARCH_QUERY_KEYS) and on_search_path


def _cited_sources(record: RawRecord) -> set[str]:
    """Source ids an answer cites, in its live text or in an edit waiting for review."""
    pending = to_pending(record)
    return set(to_answer(record).sources) | set(pending.sources if pending else ())


def _uncited_sources(path: Path, records: dict[str, RawRecord], cited: set[str]) -> Iterator[Finding]:
    """A source no answer cites is never checked against any text: remove it or cite it."""
    for source_id, record in records.items():
        if source_id not in cited:
            yield Finding(path, record.line, "error",
                          f"source {source_id} is not cited by any answer; cite it from an "
                          f"answer or delete it from {SOURCES_FILE}")


def _check_answer(
    record: RawRecord,
    sources: set[str],
    clinic_values: dict[str, str],
    today: dt.date,
    findings: list[Finding],
) -> Answer | None:
    file = record.file

    def report(key: str, message: str, severity: str = "error") -> None:
        findings.append(Finding(file, record.line_of(key), severity, message))

    raw_id = str(record.data.get("id", "") or "").strip()
    label = f"answer '{raw_id}'" if raw_id else "this answer"
    required = REQUIRED_FIELDS
    if str(record.data.get("status", "") or "").strip() == "approved":
        # Example content was never reviewed, so it has no review date to give.
        example = is_example_reviewer(record.data.get("reviewed_by"))
        required = REQUIRED_FIELDS + (("reviewed_by",) if example else REVIEW_FIELDS)
    for key in required:
        if key not in record.data or record.data.get(key) in (None, "", []):
            report(key if key in record.data else "id", f"{label} is missing '{key}:'")
    for key in record.data:
        if key not in KNOWN_FIELDS:
            report(str(key), f"{label} has an unknown field '{key}:' (check the spelling)",
                   "warning")
    if not raw_id:
        return None
    answer = to_answer(record)

    if not ANSWER_ID_PATTERN.match(answer.id):
        report("id", f"{label}: ids use lower-case letters, digits and '_' only")
    if answer.topic and answer.topic not in TOPICS:
        report("topic", f"{label} has topic '{answer.topic}', which is not one of: "
                        f"{', '.join(TOPICS)}")
    if answer.status and answer.status not in STATUSES:
        report("status", f"{label} has status '{answer.status}'; use draft or approved")
    for source_id in answer.sources:
        if source_id not in sources:
            report("sources", f"{label} cites {source_id}, which is not in {SOURCES_FILE}")
    if "reviewed_on" in record.data:
        _check_review_date(answer, record, today, report, label)
    if answer.text:
        _check_text(answer, clinic_values, report, label)
    if answer.question and HYPE_PATTERN.search(answer.question):
        report("question", f"{label}: the question uses the word "
                           f"'{HYPE_PATTERN.search(answer.question).group(0)}'; rephrase it")
    if "pending" in record.data:
        _check_pending(record, answer, sources, clinic_values, findings, label)
    return answer


def _check_pending(record, answer, sources, clinic_values, findings, label) -> None:
    """The edit waiting for review must pass the same checks as the live text."""
    pending = pending_record(record)
    if pending is None:
        findings.append(Finding(record.file, record.line_of("pending"), "error",
                                f"{label}: 'pending:' must list question, text and sources"))
        return

    def report(key: str, message: str, severity: str = "error") -> None:
        findings.append(Finding(record.file, pending.line_of(key), severity, message))

    edit_label = f"the edit waiting for review of {label}"
    for key in PENDING_FIELDS:
        if pending.data.get(key) in (None, "", []):
            report(key, f"{edit_label} is missing '{key}:'")
    for key in pending.data:
        if key not in PENDING_FIELDS:
            report(str(key), f"{edit_label} has an unknown field '{key}:' (check the spelling)",
                   "warning")
    if answer.status != "approved":
        report("text", f"{label} is still a draft; change its text directly instead of "
                       f"keeping an edit under 'pending:'", "warning")
    edit = to_pending(record)
    for source_id in edit.sources:
        if source_id not in sources:
            report("sources", f"{edit_label} cites {source_id}, which is not in {SOURCES_FILE}")
    if edit.text:
        _check_text(dataclasses.replace(answer, text=edit.text), clinic_values, report, edit_label)
    if edit.question and HYPE_PATTERN.search(edit.question):
        report("question", f"{edit_label}: the question uses the word "
                           f"'{HYPE_PATTERN.search(edit.question).group(0)}'; rephrase it")


def _check_review_date(answer, record, today, report, label) -> None:
    if answer.reviewed_on is None:
        report("reviewed_on", f"{label}: write the review date as YYYY-MM-DD")
    elif answer.reviewed_on > today:
        report("reviewed_on", f"{label}: the review date {answer.reviewed_on} is in the future")
    elif review_overdue(answer.reviewed_on, today):
        report("reviewed_on", f"{label} was last reviewed on {answer.reviewed_on}, more than "
                              f"12 months ago; ask a reviewer to check it again", "warning")


def _check_text(answer: Answer, clinic_values: dict[str, str], report, label: str) -> None:
    unknown = sorted(placeholders_in(answer.text) - set(clinic_values))
    if unknown:
        report("text", f"{label} uses {{{unknown[0]}}}, which is not in clinic.yml")
    hype = HYPE_PATTERN.search(answer.text)
    if hype:
        report("text", f"{label} uses the word '{hype.group(0)}'. Medical answers must not "
                       f"promise or sell; describe what studies found instead")
    if MARKUP_PATTERN.search(answer.text):
        report("text", f"{label} contains a link or HTML; write plain text and put web "
                       f"addresses in {SOURCES_FILE}")
    shown = fill(answer.text, clinic_values)
    _check_emergency(shown, report, label)
    words = len(shown.split())
    if words < MIN_WORDS or words > MAX_WORDS:
        report("text", f"{label} has {words} words; keep answers between {MIN_WORDS} and "
                       f"{MAX_WORDS} words (split long answers into two questions)", "warning")
    grade = reading_grade(shown)
    if grade > MAX_READING_GRADE:
        report("text", f"{label} reads at grade {grade:.1f}; the limit is "
                       f"{MAX_READING_GRADE:.0f}. Use shorter sentences and everyday words")


def _check_emergency(shown: str, report, label: str) -> None:
    """An answer that names an urgent symptom must say 911 in the same message.

    Why: visitors are often people with treatment-resistant depression, and
    someone reading about a headache, slowed breathing or fainting after a
    treatment may be having it now. The brief (section 8) says these call
    for 911, and the bot must never judge whether a symptom is safe, so the
    answer itself has to say when to call 911, not leave it to a follow-up
    question. The symptoms are listed once, in bot/content/urgent_symptoms.py.
    Checked on the text as visitors read it (placeholders filled).
    """
    named = urgent_symptoms_in(shown)
    if named and not says_emergency_number(shown):
        report("text", f"{label} mentions {named[0]}, an urgent symptom ({BRIEF_SECTION}), "
                       f"but does not say 911. Add the emergency sentence: list the urgent "
                       f"symptoms, then 'call 911 or go to the nearest emergency room', then "
                       f"{{clinic_phone}} for anything else")


def nlu_answer_links(nlu_dir: Path) -> tuple[dict[str, tuple[Path, int]], dict[str, tuple[Path, int, str]]]:
    """Where NLU data names answers: faq intents and their content: responses."""
    intents: dict[str, tuple[Path, int]] = {}
    responses: dict[str, tuple[Path, int, str]] = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        document = read_yaml(path)
        if not isinstance(document, dict):
            continue
        for item in document.get("nlu") or []:
            name = str(item.get("intent", "")) if isinstance(item, dict) else ""
            if name.startswith(FAQ_INTENT_PREFIX):
                intents[name[len(FAQ_INTENT_PREFIX):]] = (path, item.lc.line + 1)
        for key, variations in (document.get("responses") or {}).items():
            key = str(key)
            if key.startswith(ANSWER_RESPONSE_PREFIX):
                text = ""
                if variations and isinstance(variations[0], dict):
                    text = str(variations[0].get("text", ""))
                line = document["responses"].lc.key(key)[0] + 1
                responses[key[len(ANSWER_RESPONSE_PREFIX):]] = (path, line, text)
    return intents, responses


def _check_nlu_links(nlu_dir: Path, answers: dict[str, Answer]) -> Iterator[Finding]:
    try:
        intents, responses = nlu_answer_links(nlu_dir)
    except ContentFileError as error:
        yield Finding(error.file, error.line, "error", error.message)
        return
    for answer_id, (path, line) in sorted(intents.items()):
        if answer_id not in answers:
            yield Finding(path, line, "error",
                          f"visitors can ask 'faq/{answer_id}', but there is no answer with id "
                          f"'{answer_id}' in data/content/")
            yield from _response_findings(answer_id, intents, responses)
    for answer_id in sorted(set(responses) - set(intents) - set(answers)):
        yield from _response_findings(answer_id, intents, responses)
    for answer in answers.values():
        yield from _answer_link_findings(answer, intents, responses)


def _answer_link_findings(answer: Answer, intents, responses) -> Iterator[Finding]:
    """How one answer is wired to the NLU data: asked only when approved."""
    if answer.id in intents:
        path, line = intents[answer.id]
        if not answer.approved:
            yield Finding(answer.file, answer.line, "error",
                          f"answer '{answer.id}' is a draft, but visitors can already ask it "
                          f"({path.name}:{line}); approve it or remove those examples")
    elif answer.approved:
        yield Finding(answer.file, answer.line, "error",
                      f"answer '{answer.id}' is approved but no visitor question leads to "
                      f"it; add examples under 'faq/{answer.id}' in data/nlu/")
    yield from _response_findings(answer.id, intents, responses)


def _response_findings(answer_id: str, intents, responses) -> Iterator[Finding]:
    if answer_id in intents and answer_id not in responses:
        path, line = intents[answer_id]
        yield Finding(path, line, "error",
                      f"add a response 'utter_faq/{answer_id}' with text "
                      f"'content:{answer_id}' to this file")
    if answer_id in responses:
        path, line, text = responses[answer_id]
        if text != CONTENT_TEXT_PREFIX + answer_id:
            yield Finding(path, line, "error",
                          f"the response for '{answer_id}' must be exactly "
                          f"'content:{answer_id}' (the text itself lives in data/content/)")


def _check_system_messages(root: Path, clinic_values: dict[str, str]) -> Iterator[Finding]:
    """domain.yml and messages.yml: each message written once, placeholders known."""
    files = {name: root / name for name in ("domain.yml", "messages.yml")}
    seen: dict[str, Path] = {}
    for path in files.values():
        if not path.exists():
            continue
        try:
            responses = (read_yaml(path) or {}).get("responses") or {}
        except ContentFileError as error:
            yield Finding(error.file, error.line, "error", error.message)
            continue
        for name, variations in responses.items():
            line = responses.lc.key(name)[0] + 1
            if name in seen:
                yield Finding(path, line, "error",
                              f"the message '{name}' is also in {seen[name].name}; keep one copy")
            seen[name] = path
            for variation in variations or []:
                text = str((variation or {}).get("text", ""))
                unknown = placeholders_in(text) - set(clinic_values) - _SLOT_PLACEHOLDERS
                if unknown:
                    yield Finding(path, line, "error",
                                  f"the message '{name}' uses {{{sorted(unknown)[0]}}}, which is "
                                  f"not in clinic.yml")


# Placeholders filled from the conversation rather than clinic.yml (the
# live handoff's notices name the staff member and the next opening).
_SLOT_PLACEHOLDERS = {"callback_name", "reference", "staff_name", "staff_role", "opening"}


def format_report(result: CheckResult, root: Path) -> Iterable[str]:
    for finding in sorted(result.findings, key=lambda f: (str(f.file), f.line)):
        yield finding.format(root)
    yield (f"{result.answers_checked} answers checked: {len(result.errors)} errors, "
           f"{len(result.warnings)} warnings")
