"""The conversation store is the one endpoints.yml configures: SQLite or PostgreSQL, never a guess.

Events are written by Rasa's own SQLTrackerStore, built by Rasa's own
factory from the same endpoints.yml (tracker_helpers.store_conversation).
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.__main__ import main as bot_main
from bot.db import session_scope
from bot.models import Handoff, utcnow
from bot.settings import Settings
from bot.staff import audit, retention
from bot.staff.conversations import ConversationStoreError, endpoints_tracker_url, tracker_url
from staff_helpers import callback
from tracker_helpers import bot, store_conversation, stored_events, user, write_endpoints

OLD, NEW = 120, 10  # days; the tests purge with a 90-day or 30-day period


def settings_for(root: Path, endpoints: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    return Settings.from_env(root=root)


def rasa_url(endpoints: Path) -> str:
    """The URL Rasa's own code builds from the file (all its variables must be set)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "tracker_store")
    kwargs = config.kwargs
    url = SQLTrackerStore.get_db_url(kwargs.get("dialect", "sqlite"), config.url, kwargs.get("port"),
                                     kwargs.get("db", "rasa.db"), kwargs.get("username"),
                                     kwargs.get("password"), None, kwargs.get("query"))
    return url if isinstance(url, str) else url.render_as_string(hide_password=False)


@pytest.mark.parametrize("store, expected", [
    ({"type": "SQL", "dialect": "sqlite", "db": "/srv/rasa/tracker.db"}, "sqlite:////srv/rasa/tracker.db"),
    ({"type": "SQL", "dialect": "postgresql", "url": "db.clinic.internal", "port": 5433, "db": "rasa",
      "username": "rasa", "password": "${PG_PASSWORD}", "query": {"sslmode": "require"}},
     "postgresql://rasa:s3cret%40pw@db.clinic.internal:5433/rasa?sslmode=require"),
    ({"type": "sql", "dialect": "postgresql", "url": "db.clinic.internal:6543", "db": "rasa",
      "username": "rasa", "password": "${PG_PASSWORD}"},
     "postgresql://rasa:s3cret%40pw@db.clinic.internal:6543/rasa"),
    ({"type": "SQL", "url": "postgresql://rasa:pw@db.clinic.internal/conversations"},
     "postgresql://rasa:pw@db.clinic.internal/conversations"),
])
def test_the_url_is_the_one_rasas_sql_tracker_store_builds(tmp_path, monkeypatch, store, expected):
    monkeypatch.setenv("PG_PASSWORD", "s3cret@pw")
    endpoints = write_endpoints(tmp_path / "endpoints.yml", store)
    assert endpoints_tracker_url(endpoints, tmp_path) == expected == rasa_url(endpoints)


def test_a_relative_sqlite_file_is_where_rasa_opens_it_from_the_project_root(tmp_path, monkeypatch):
    endpoints = write_endpoints(tmp_path / "elsewhere.yml", {"type": "SQL", "dialect": "sqlite",
                                                              "db": "var/tracker.db"})
    settings = settings_for(tmp_path / "project", endpoints, monkeypatch)
    assert tracker_url(settings) == f"sqlite:///{tmp_path / 'project' / 'var' / 'tracker.db'}"


def test_the_default_is_the_repository_endpoints_file(monkeypatch):
    monkeypatch.delenv("ENDPOINTS_FILE", raising=False)
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    settings = Settings.from_env()
    assert settings.endpoints_file == settings.root / "endpoints.yml"
    # endpoints.yml's own `token: ${ACTION_SERVER_TOKEN}` must not matter to a purge run from cron
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    monkeypatch.delenv("MODEL_SERVER_TOKEN", raising=False)
    assert tracker_url(settings) == f"sqlite:///{settings.root / 'var' / 'tracker.db'}"


def test_variables_are_expanded_in_the_tracker_store_section_only(tmp_path, monkeypatch):
    monkeypatch.delenv("UNSET_TOKEN", raising=False)
    monkeypatch.delenv("UNSET_PG_PASSWORD", raising=False)
    fine = write_endpoints(tmp_path / "fine.yml", {"type": "SQL", "db": "/srv/tracker.db"},
                           models={"url": "http://x", "token": "${UNSET_TOKEN}"})
    assert endpoints_tracker_url(fine, tmp_path) == "sqlite:////srv/tracker.db"

    broken = write_endpoints(tmp_path / "broken.yml", {"type": "SQL", "dialect": "postgresql",
                                                       "url": "db", "password": "${UNSET_PG_PASSWORD}"})
    with pytest.raises(ConversationStoreError, match="UNSET_PG_PASSWORD"):
        endpoints_tracker_url(broken, tmp_path)


def test_no_tracker_store_section_means_rasa_keeps_nothing_on_disk(tmp_path):
    assert endpoints_tracker_url(write_endpoints(tmp_path / "e.yml", None), tmp_path) == ""


@pytest.mark.parametrize("store", [{"type": "redis", "url": "localhost"},
                                   {"type": "mongod", "url": "mongodb://localhost:27017"},
                                   {"type": "my_package.MyTrackerStore"}])
def test_a_store_that_is_not_sql_is_refused(tmp_path, store):
    with pytest.raises(ConversationStoreError, match="NOT purged"):
        endpoints_tracker_url(write_endpoints(tmp_path / "e.yml", store), tmp_path)


def test_a_missing_endpoints_file_is_an_error_not_an_empty_store(tmp_path):
    with pytest.raises(ConversationStoreError, match="ENDPOINTS_FILE"):
        endpoints_tracker_url(tmp_path / "missing.yml", tmp_path)


def test_tracker_db_url_overrides_with_a_warning(tmp_path, monkeypatch, caplog):
    endpoints = write_endpoints(tmp_path / "e.yml", {"type": "SQL", "db": str(tmp_path / "rasa.db")})
    settings = settings_for(tmp_path, endpoints, monkeypatch)
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'other.db'}")
    with caplog.at_level(logging.WARNING, logger="bot.staff.conversations"):
        assert tracker_url(Settings.from_env(root=tmp_path)) == f"sqlite:///{tmp_path / 'other.db'}"
    assert "TRACKER_DB_URL" in caplog.text and "overrides" in caplog.text
    assert tracker_url(settings) == f"sqlite:///{tmp_path / 'rasa.db'}"


def conversations_of_two_ages(endpoints: Path) -> None:
    store_conversation(endpoints, "old-visitor", [user("is ketamine addictive?", OLD),
                                                  bot("Here is what we know.", OLD)])
    store_conversation(endpoints, "new-visitor", [user("how long is a session?", NEW)])


def test_the_purge_deletes_from_the_sqlite_file_endpoints_yml_names(console, tmp_path, monkeypatch):
    tracker = tmp_path / "rasa-store" / "conversations.db"
    tracker.parent.mkdir()
    endpoints = write_endpoints(tmp_path / "production-endpoints.yml",
                                {"type": "SQL", "dialect": "sqlite", "db": str(tracker)})
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    conversations_of_two_ages(endpoints)

    assert bot_main(["purge", "--days", "90"]) == 0

    assert {e["sender"] for e in stored_events(f"sqlite:///{tracker}")} == {"new-visitor"}
    entry = audit.recent(console.database_url, action="privacy.purge")[0]["details"]
    assert entry["events"] == 2 and entry["conversation_store"] == f"sqlite:///{tracker}"


def test_the_purge_deletes_from_postgresql_as_endpoints_yml_configures_it(console, postgres, tmp_path,
                                                                           monkeypatch, capsys):
    monkeypatch.setenv("PG_PASSWORD", postgres.password)
    endpoints = write_endpoints(tmp_path / "endpoints.yml", postgres.tracker_store())
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    conversations_of_two_ages(endpoints)
    assert len(stored_events(postgres.url)) == 3

    assert bot_main(["purge", "--days", "90"]) == 0

    assert "Removed 2 conversation events" in capsys.readouterr().out
    assert {e["sender"] for e in stored_events(postgres.url)} == {"new-visitor"}
    details = audit.recent(console.database_url, action="privacy.purge")[0]["details"]
    assert details["conversation_store"].startswith("postgresql://postgres:***@127.0.0.1:")
    assert postgres.password not in str(details)
    # PostgreSQL is not VACUUMed from here (see bot/staff/retention.py); the SQLite project database is.
    assert details["vacuumed"] == ["project database"]


def age_closed(database_url: str, reference: str, days: int) -> None:
    with session_scope(database_url) as session:
        handoff = session.query(Handoff).filter_by(reference=reference).one()
        handoff.status, handoff.closed_at = "closed", utcnow() - dt.timedelta(days=days)


def test_a_store_the_purge_cannot_handle_fails_loudly(console, tmp_path, monkeypatch, capsys, caplog):
    endpoints = write_endpoints(tmp_path / "endpoints.yml", {"type": "redis", "url": "localhost"})
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    old = callback(console.database_url)
    age_closed(console.database_url, old, 100)

    with caplog.at_level(logging.ERROR):
        assert bot_main(["purge", "--days", "90"]) == 1

    assert "NOT COMPLETE" in capsys.readouterr().err
    assert "redis" in caplog.text and "NOT purged" in caplog.text
    details = audit.recent(console.database_url, action="privacy.purge")[0]["details"]
    assert "redis" in details["problems"][0] and details["conversation_store"] == "not purged (see problems)"
    assert details["closed_requests"] == 1  # the rest of the purge still ran


def test_an_unreachable_store_fails_loudly(console, tmp_path, monkeypatch, caplog):
    from project_tests_postgres import free_port

    endpoints = write_endpoints(tmp_path / "endpoints.yml", {
        "type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": free_port(), "db": "rasa",
        "username": "rasa", "password": "not-this"})
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    with caplog.at_level(logging.ERROR):
        result = retention.purge(console.database_url, None, 90)
    assert not result.complete and "OperationalError" in result.problems[0]
    assert "not-this" not in result.problems[0] and "Retention purge incomplete" in caplog.text
