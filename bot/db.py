"""The project's own database: callback requests, feedback, staff accounts.

SQLAlchemy keeps one code path for the default SQLite file and for any other
URL a clinic configures (PostgreSQL behind several replicas). Rasa's own
conversation store is configured separately in endpoints.yml.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

Base = declarative_base()


def _prepare_sqlite(url: str) -> None:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str) -> Engine:
    """An engine with the tables created; SQLite gets WAL so readers never block.

    hide_parameters: a failed INSERT's error message would otherwise carry a
    visitor's name, phone number and transcript into whatever logs it.
    """
    _prepare_sqlite(url)
    engine = create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
    import bot.models  # noqa: F401  (registers every table on Base)

    Base.metadata.create_all(engine)
    return engine


@functools.lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A transaction that commits on success and rolls back on any error."""
    session = sessionmaker(bind=engine_for(url), future=True, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
