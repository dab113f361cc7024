"""Build artefacts from files in the repository, once per change of their inputs.

The spaCy pipeline, the risk classifier and the spelling table are built on
each machine (nothing generated is committed). Each build is named by a
fingerprint of its inputs and rebuilt only when they change; several
processes starting at once (servers, tests) wait for one builder.
"""
from __future__ import annotations

import fcntl
import hashlib
import shutil
from pathlib import Path
from typing import Callable, Iterable

FINGERPRINT_FILE = "fingerprint.txt"


def fingerprint(paths: Iterable[Path], *extra: str) -> str:
    """A hash of the named files' names and bytes, and of any extra strings."""
    digest = hashlib.sha256()
    for text in extra:
        digest.update(text.encode())
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _up_to_date(out_dir: Path, wanted: str) -> bool:
    marker = out_dir / FINGERPRINT_FILE
    return marker.exists() and marker.read_text().strip() == wanted


def build_if_changed(out_dir: Path, wanted: str, make: Callable[[Path], None],
                     force: bool = False) -> bool:
    """Run make(folder) unless out_dir already holds the build for `wanted`.

    The build goes into a fresh folder that replaces out_dir only when it is
    complete, so a reader never sees half an artefact. Returns True if built.
    """
    if not force and _up_to_date(out_dir, wanted):
        return False
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".{out_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and _up_to_date(out_dir, wanted):
            return False
        fresh = out_dir.with_name(out_dir.name + ".new")
        shutil.rmtree(fresh, ignore_errors=True)
        fresh.mkdir()
        make(fresh)
        (fresh / FINGERPRINT_FILE).write_text(wanted + "\n")
        shutil.rmtree(out_dir, ignore_errors=True)
        fresh.rename(out_dir)
    return True
