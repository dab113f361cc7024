"""Writing the YAML files staff own, without disturbing anything else in them.

The files under data/ stay the source of truth and git history stays the
review trail, so a console save must change only the lines it means to:
ruamel's round-trip mode keeps order and comments, the indentation style is
detected per file (content files indent lists, Rasa's NLU files do not), and
a file whose layout would not survive a save is refused rather than rewritten.
Writes are atomic (temp file + os.replace) so the running assistant, which
re-reads data/content/ when a file changes, never sees half a file; a lock
file serialises concurrent saves from several console workers.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import tempfile
import textwrap
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from bot.content.files import yaml_loader

# (mapping indent, sequence indent, dash offset) styles seen in this project.
INDENT_STYLES = ((2, 4, 2), (2, 2, 0))
TEXT_WIDTH = 80  # where long answer text wraps, like the hand-written files


class LayoutNotPreserved(RuntimeError):
    """Saving would reformat the file; a person has to edit it by hand."""


def _yaml(style: tuple[int, int, int]) -> YAML:
    yaml = yaml_loader()
    # Never re-wrap lines people wrote; new answer text is wrapped by folded().
    yaml.width = 4096
    mapping, sequence, offset = style
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, document: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """An exclusive lock for read-modify-write of the files in folder.

    The lock file lives in the temp folder, not beside the YAML, so it never
    shows up in the clinic's git checkout.
    """
    key = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    with open(Path(tempfile.gettempdir()) / f"ketamine-staff-{key}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class YamlDocument:
    """One file loaded for editing; save() writes it back atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        original = path.read_text(encoding="utf-8")
        for style in INDENT_STYLES:
            yaml = _yaml(style)
            data = yaml.load(original)
            if _dump(yaml, data) == original:
                self._yaml, self.data = yaml, data
                return
        raise LayoutNotPreserved(
            f"{path.name} is laid out in a way the console cannot keep; edit it in a text editor"
        )

    def save(self) -> None:
        text = _dump(self._yaml, self.data)
        atomic_write(self.path, text)


def atomic_write(path: Path, text: str) -> None:
    """Replace path with text in one step, keeping the file's permissions."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def folded(text: str, width: int = TEXT_WIDTH) -> FoldedScalarString:
    """Answer text as a `>-` block wrapped like the hand-written entries."""
    text = " ".join(text.split())
    value = FoldedScalarString(text)
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    positions, offset = [], 0
    for line in lines[:-1]:
        offset += len(line)
        positions.append(offset)  # the space after this line is where ruamel folds
        offset += 1
    value.fold_pos = positions
    return value


def literal(text: str) -> LiteralScalarString:
    return LiteralScalarString(text)
