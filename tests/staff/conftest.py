"""Fixtures for the staff console: a real SQLite file, copies of the content, the Flask test client."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from bot.settings import Settings
from bot.staff.app import create_app
from bot.staff.content_edits import ContentPaths
from staff_helpers import ROOT, Console


@pytest.fixture()
def content_paths(tmp_path: Path) -> ContentPaths:
    """Copies of data/content and data/nlu: tests never change the repository's files."""
    content = tmp_path / "content"
    nlu = tmp_path / "nlu"
    shutil.copytree(ROOT / "data" / "content", content)
    shutil.copytree(ROOT / "data" / "nlu", nlu)
    return ContentPaths(content, nlu, ROOT / "clinic.yml")


@pytest.fixture()
def console(tmp_path: Path, content_paths: ContentPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Console]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'clinic.db'}")
    monkeypatch.setenv("CONTENT_DIR", str(content_paths.content_dir))
    tracker_db_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_DB_URL", tracker_db_url)
    settings = Settings.from_env()
    app = create_app(settings, tracker_db_url=tracker_db_url, nlu_dir=content_paths.nlu_dir,
                     secret="test-secret-key-that-is-long-enough")
    app.config["TESTING"] = True
    yield Console(app, settings, content_paths, tracker_db_url)
