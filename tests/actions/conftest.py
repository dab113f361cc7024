"""Trackers loaded from JSON fixtures, and a real SQLite database per test."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterator

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


@pytest.fixture(autouse=True)
def fresh_abuse_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Each test starts with the default limits and no hits counted yet."""
    from bot import abuse_limits

    monkeypatch.delenv("RATE_LIMITS", raising=False)
    abuse_limits.abuse_limits.cache_clear()
    yield abuse_limits.abuse_limits
    abuse_limits.abuse_limits.cache_clear()
