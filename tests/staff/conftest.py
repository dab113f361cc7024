"""Fixtures for the staff console: a real SQLite file, copies of the content, the Flask test client.

The console finds the conversation store as in production: through the
tracker_store of an endpoints.yml (ENDPOINTS_FILE), here a SQLite file in
the test's folder. `postgres` gives a throwaway PostgreSQL server
(tests/postgres.py) for the tests that must run against one.
"""
from __future__ import annotations

import importlib.util
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.staff.app import create_app
from bot.content.edits import ContentPaths
from staff_helpers import ROOT, Console
from tracker_helpers import PostgresDatabase, write_endpoints


def _load_postgres_module():  # noqa: ANN202
    """tests/postgres.py by path: textstat's top-level `tests` package shadows ours on sys.path."""
    name = "project_tests_postgres"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "postgres.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # before exec: its dataclasses look themselves up there
        spec.loader.exec_module(module)
    return sys.modules[name]


postgres_server = _load_postgres_module()


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
    tracker_db = tmp_path / "tracker.db"
    endpoints = write_endpoints(tmp_path / "endpoints.yml",
                                {"type": "SQL", "dialect": "sqlite", "db": str(tracker_db)})
    monkeypatch.setenv("ENDPOINTS_FILE", str(endpoints))
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)  # a developer's shell must not redirect the tests
    tracker_db_url = f"sqlite:///{tracker_db}"
    settings = Settings.from_env()
    app = create_app(settings, nlu_dir=content_paths.nlu_dir, secret="test-secret-key-that-is-long-enough")
    assert app.extensions["staff"].tracker_db_url == tracker_db_url
    app.config["TESTING"] = True
    yield Console(app, settings, content_paths, tracker_db_url)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[object]:
    """One throwaway PostgreSQL server for the session; missing binaries fail the tests, never skip them."""
    try:
        cluster = postgres_server.start_cluster()
    except postgres_server.PostgresUnavailable as problem:
        failure = str(problem)
    else:
        failure = ""
    if failure:  # outside the except: the message once, without a chained traceback
        pytest.fail(failure, pytrace=False)
    try:
        yield cluster
    finally:
        postgres_server.stop_cluster(cluster)


@pytest.fixture()
def postgres(postgres_cluster) -> Iterator[PostgresDatabase]:  # noqa: ANN001
    """A fresh, empty database on the throwaway server for one test."""
    with postgres_server.throwaway_database(postgres_cluster) as name:
        yield PostgresDatabase(postgres_cluster, name)


@pytest.fixture()
def sqlite_keeps_deleted_bytes() -> Iterator[None]:
    """SQLite as most builds ship it: a deleted row's bytes stay in the file.

    Debian compiles SQLite with SECURE_DELETE on, which would hide a missing
    VACUUM or secure_delete pragma here; SQLite's own default, and so many
    other builds, leave it off.
    """
    def keep(dbapi_connection, _record) -> None:  # noqa: ANN001
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA secure_delete=OFF")

    event.listen(Engine, "connect", keep)  # runs before each engine's own connect hooks
    yield
    event.remove(Engine, "connect", keep)
