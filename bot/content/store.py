"""The live content library the running assistant reads from.

Answer text changes must reach visitors without retraining, so the store
re-reads data/content/ whenever a file's content changes (bot.file_watch). A broken
edit never takes answers away: the last good snapshot stays in service and
the problem is logged for staff (who also see it in `bot content check`).
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from bot.content.files import (
    SOURCES_FILE,
    ContentFileError,
    answer_files,
    raw_answers,
    raw_sources,
    to_answer,
    to_source,
)
from bot.content.model import Answer, ContentLibrary, Source
from bot.file_watch import files_signature

logger = logging.getLogger(__name__)


def load_library(content_dir: Path) -> ContentLibrary:
    """Read every content file; raises ContentFileError on an unreadable file."""
    answers: dict[str, Answer] = {}
    for path in answer_files(content_dir):
        for record in raw_answers(path):
            answer = to_answer(record)
            if answer.id and answer.id not in answers:
                answers[answer.id] = answer
    sources: dict[str, Source] = {}
    sources_path = content_dir / SOURCES_FILE
    if sources_path.exists():
        sources = {
            sid: to_source(sid, record)
            for sid, record in raw_sources(sources_path).items()
        }
    return ContentLibrary(answers=answers, sources=sources)


class ContentStore:
    """Thread-safe, self-refreshing access to the content library."""

    def __init__(self, content_dir: Path, check_interval: float = 1.0) -> None:
        self.content_dir = content_dir
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._library = ContentLibrary()
        self._signature: tuple = ()
        self._checked_at = 0.0
        self.last_error: str = ""
        self.refresh(force=True)

    def library(self) -> ContentLibrary:
        """The current snapshot, re-read first if a file changed."""
        if time.monotonic() - self._checked_at >= self.check_interval:
            self.refresh()
        return self._library

    def refresh(self, force: bool = False) -> bool:
        """Reload if files changed (or if forced). Returns True when reloaded."""
        with self._lock:
            self._checked_at = time.monotonic()
            signature = self._files_signature()
            if not force and signature == self._signature:
                return False
            try:
                library = load_library(self.content_dir)
            except (ContentFileError, OSError) as error:
                self.last_error = str(error)
                logger.error("Content not reloaded, keeping the last good copy: %s", error)
                self._signature = signature
                return False
            self._library = library
            self._signature = signature
            self.last_error = ""
            logger.info("Content loaded: %d answers", len(library.answers))
            return True

    def _files_signature(self) -> tuple:
        return files_signature(sorted(self.content_dir.glob("*.yml")))
