"""Small helpers for tests that break a copy of the content and read the check's verdict."""
from __future__ import annotations

from pathlib import Path

from bot.content.check import check_project


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, fragment: str) -> int:
    """The first line of `path` that contains `fragment`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")


def messages(project: Path) -> list[str]:
    result = check_project(project)
    return [f.format(project) for f in result.findings]
