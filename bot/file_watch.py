"""Has a file changed? One answer for every reader that re-reads files live.

The content store, the console's check context and clinic.yml all re-read
their files when they change. Modification time and size alone miss an edit
of the same size within one tick of the file system's clock (seen as a
flaky test: the widget showed the old answer after a quick edit), so the
signature is the content's hash. The files are small; hashing them once a
second costs microseconds.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable


def file_signature(path: Path) -> tuple[str, str]:
    """(path, hash of the bytes); ("path", "") for a file that does not exist."""
    try:
        digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except (FileNotFoundError, IsADirectoryError):
        digest = ""
    return str(path), digest


def files_signature(paths: Iterable[Path]) -> tuple[tuple[str, str], ...]:
    """A value that changes whenever any of the files' contents change."""
    return tuple(file_signature(path) for path in paths)
