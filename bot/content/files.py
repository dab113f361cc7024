"""Reading content YAML while keeping line numbers.

Staff fix problems by opening a file at a line, so every record read here
remembers where it came from. ruamel's round-trip loader gives us that, and is
the same loader the staff console writes with, so comments and order survive.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from bot.content.model import Answer, PendingEdit, Source

SOURCES_FILE = "sources.yml"


class ContentFileError(Exception):
    """A content file that cannot be read at all (bad YAML, wrong shape)."""

    def __init__(self, file: Path, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass
class RawRecord:
    """One mapping from a file, before any checking."""

    data: dict[str, Any]
    file: Path
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


def yaml_loader() -> YAML:
    loader = YAML(typ="rt")
    loader.preserve_quotes = True
    loader.width = 88
    return loader


def read_yaml(path: Path) -> Any:
    """Parse one file; a syntax error becomes a ContentFileError with its line."""
    try:
        return yaml_loader().load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or "this is not valid YAML"
        raise ContentFileError(
            path, line, f"{problem} (check indentation, colons and quotes)"
        ) from error


def answer_files(content_dir: Path) -> list[Path]:
    return sorted(p for p in content_dir.glob("*.yml") if p.name != SOURCES_FILE)


def record_of(mapping: Any, file: Path) -> RawRecord:
    """A RawRecord for one loaded mapping (the staff console checks entries it edits)."""
    return _record(mapping, file)


def _record(mapping: Any, file: Path) -> RawRecord:
    line = mapping.lc.line + 1 if hasattr(mapping, "lc") else 1
    key_lines = {}
    for key in mapping:
        try:
            key_lines[str(key)] = mapping.lc.key(key)[0] + 1
        except (AttributeError, KeyError, TypeError):
            key_lines[str(key)] = line
    return RawRecord(dict(mapping), file, line, key_lines)


def raw_answers(path: Path) -> list[RawRecord]:
    document = read_yaml(path)
    if not isinstance(document, dict) or not isinstance(
        document.get("answers"), list
    ):
        raise ContentFileError(
            path, 1, "the file must start with 'answers:' followed by a list"
        )
    records = []
    for item in document["answers"]:
        if not isinstance(item, dict):
            raise ContentFileError(
                path,
                _line_of_item(document["answers"], item),
                "each answer must be a set of 'field: value' lines starting with '- id:'",
            )
        records.append(_record(item, path))
    return records


def _line_of_item(sequence: Any, item: Any) -> int:
    try:
        index = list(sequence).index(item)
        return sequence.lc.item(index)[0] + 1
    except (AttributeError, ValueError, KeyError):
        return 1


def raw_sources(path: Path) -> dict[str, RawRecord]:
    document = read_yaml(path)
    if not isinstance(document, dict) or not isinstance(
        document.get("sources"), dict
    ):
        raise ContentFileError(path, 1, "the file must start with 'sources:'")
    result = {}
    for source_id, value in document["sources"].items():
        if not isinstance(value, dict):
            line = document["sources"].lc.key(source_id)[0] + 1
            raise ContentFileError(
                path, line, f"source {source_id} needs 'citation:' and 'url:' lines"
            )
        result[str(source_id)] = _record(value, path)
    return result


def to_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _source_ids(value: Any) -> tuple[str, ...]:
    sources = value or []
    if isinstance(sources, str):
        sources = [sources]
    return tuple(str(s).strip() for s in sources)


def pending_record(record: RawRecord) -> RawRecord | None:
    """The `pending:` edit inside an answer entry, with its own line numbers."""
    pending = record.data.get("pending")
    if not isinstance(pending, dict):
        return None
    return _record(pending, record.file)


def to_pending(record: RawRecord) -> PendingEdit | None:
    """The edit waiting for review; the visitor-facing fields stay untouched."""
    pending = pending_record(record)
    if pending is None:
        return None
    data = pending.data
    return PendingEdit(
        question=str(data.get("question", "") or "").strip(),
        text=" ".join(str(data.get("text", "") or "").split()),
        sources=_source_ids(data.get("sources")),
        edited_by=str(data.get("edited_by", "") or "").strip(),
        edited_on=to_date(data.get("edited_on")),
        line=pending.line,
    )


def to_answer(record: RawRecord) -> Answer:
    data = record.data
    return Answer(
        id=str(data.get("id", "")).strip(),
        topic=str(data.get("topic", "")).strip(),
        question=str(data.get("question", "") or "").strip(),
        text=" ".join(str(data.get("text", "") or "").split()),
        sources=_source_ids(data.get("sources")),
        reviewed_by=str(data.get("reviewed_by", "") or "").strip(),
        reviewed_on=to_date(data.get("reviewed_on")),
        status=str(data.get("status", "") or "").strip(),
        staff_note=str(data.get("staff_note", "") or "").strip(),
        file=record.file,
        line=record.line,
        pending=to_pending(record),
    )


def to_source(source_id: str, record: RawRecord) -> Source:
    return Source(
        id=source_id,
        citation=str(record.data.get("citation", "") or "").strip(),
        url=str(record.data.get("url", "") or "").strip(),
    )
