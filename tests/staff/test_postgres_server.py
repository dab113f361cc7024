"""The throwaway PostgreSQL server (tests/postgres.py) used by the conversation-store tests."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from project_tests_postgres import PostgresUnavailable, RunAs, find_bin_dir


def test_missing_server_binaries_say_which_debian_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("POSTGRES_BIN_DIR", str(tmp_path))  # an empty folder
    with pytest.raises(PostgresUnavailable, match=r"package `postgresql` \(apt-get install postgresql\)"):
        find_bin_dir()


def test_under_root_the_server_runs_as_nobody():
    run_as = RunAs.for_this_process()
    assert (run_as.uid is None) == (os.geteuid() != 0)
    assert run_as.uid != 0


def test_the_server_listens_on_loopback_only_and_keeps_its_socket_in_its_folder(postgres):
    engine = create_engine(postgres.url, future=True)
    with engine.connect() as connection:
        settings = dict(connection.execute(text(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('listen_addresses', 'unix_socket_directories', 'data_directory')")).all())
    engine.dispose()
    assert settings["listen_addresses"] == "127.0.0.1"
    assert settings["unix_socket_directories"] == str(postgres.cluster.directory)
    assert settings["data_directory"].startswith(str(postgres.cluster.directory))
