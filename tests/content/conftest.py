"""What the content tests share: a copy of the project that a test may break."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.edits import ContentPaths
from bot.settings import get_settings

ROOT = get_settings().root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of everything the content check and the console read, safe to break."""
    for folder in ("data/content", "data/nlu"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "clinic.yml", tmp_path / "clinic.yml")
    return tmp_path


@pytest.fixture
def content_paths(project: Path) -> ContentPaths:
    """The copy's content, NLU data and clinic.yml, as the content writers take them."""
    return ContentPaths(project / "data" / "content", project / "data" / "nlu", project / "clinic.yml")
