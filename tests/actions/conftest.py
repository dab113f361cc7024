"""Trackers loaded from JSON fixtures, and a real SQLite database per test."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest
from rasa_sdk import Tracker

FIXTURES = Path(__file__).parent.parent / "fixtures" / "trackers"


@pytest.fixture
def load_tracker() -> Callable[[str], Tracker]:
    def load(name: str) -> Tracker:
        return Tracker.from_dict(json.loads((FIXTURES / f"{name}.json").read_text()))
    return load


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("STAFF_WEBHOOK_URL", "")
    return url
