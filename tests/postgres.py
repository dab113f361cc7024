"""A throwaway PostgreSQL server for tests: its own cluster in a temporary folder.

No system service is used or needed. initdb makes a new cluster in a fresh
temporary directory; the server listens on 127.0.0.1 only, on a free port,
with its unix socket inside that directory; stopping it shuts the server
down and deletes the directory. Nothing outlives the test run.

PostgreSQL refuses to run as root. Under root (most CI containers) the
server binaries therefore run as the unprivileged `nobody` account
(subprocess's user/group switch, no sudo, PAM or shell involved), and the
temporary directory is handed to that account.

Needs the PostgreSQL server binaries: the Debian/Ubuntu package `postgresql`
(/usr/lib/postgresql/<version>/bin). POSTGRES_BIN_DIR names another folder
holding initdb, pg_ctl and postgres. A missing server is an error, never a
reason to skip: skipped tests would hide that a purge no longer reaches the
store clinics use in production.

Plain module (no pytest import) so any test folder can use it; pytest
fixtures wrap it (tests/staff/conftest.py).
"""
from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from bot.cluster.servers import ServerUnavailable, find_postgres_bin_dir

UNPRIVILEGED_USER = "nobody"
SUPERUSER = "postgres"
# Speed over durability: the cluster is deleted at the end of the run anyway.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "60",
    "shared_buffers": "16MB",
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """The throwaway server could not be started; the message says what to install or fix."""


def find_bin_dir() -> Path:
    """The server binaries, found as `make run-cluster` finds them (bot/cluster/servers.py)."""
    try:
        return find_postgres_bin_dir()
    except ServerUnavailable as missing:
        raise PostgresUnavailable(f"{missing} The PostgreSQL tests start their own throwaway "
                                  "server from them.") from missing


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class RunAs:
    """Who runs the server binaries: this process's own user, or `nobody` under root."""

    uid: Optional[int] = None
    gid: Optional[int] = None

    @classmethod
    def for_this_process(cls) -> "RunAs":
        if os.geteuid() != 0:
            return cls()
        try:
            account = pwd.getpwnam(UNPRIVILEGED_USER)
        except KeyError as missing:
            raise PostgresUnavailable(
                f"Running as root, and PostgreSQL refuses root: the tests run its server as "
                f"`{UNPRIVILEGED_USER}`, but this machine has no such account.") from missing
        return cls(account.pw_uid, account.pw_gid)

    def give(self, path: Path) -> None:
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)

    def run(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:  # noqa: ANN003
        switch = {} if self.uid is None else {"user": self.uid, "group": self.gid, "extra_groups": []}
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
        return subprocess.run(command, env=environment, cwd="/", capture_output=True, text=True,
                              **switch, **kwargs)


def _base_dir(run_as: RunAs) -> Optional[str]:
    """The usual temp folder, unless `nobody` could not reach into it (then /tmp)."""
    base = Path(tempfile.gettempdir()).resolve()
    if run_as.uid is None:
        return None
    reachable = all(path.stat().st_mode & stat.S_IXOTH for path in [base, *base.parents])
    return None if reachable else "/tmp"


@dataclass
class Cluster:
    """A running throwaway server; `url(database)` gives a SQLAlchemy URL for it."""

    bin_dir: Path
    directory: Path
    port: int
    password: str
    run_as: RunAs
    user: str = SUPERUSER
    host: str = "127.0.0.1"

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    def url(self, database: str = "postgres") -> str:
        from sqlalchemy.engine import URL

        return URL.create("postgresql", self.user, self.password, self.host, self.port,
                          database).render_as_string(hide_password=False)

    def create_database(self, name: str) -> None:
        self._admin(f'CREATE DATABASE "{name}"')

    def drop_database(self, name: str) -> None:
        # FORCE: pooled connections the code under test left open must not keep it alive.
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url(), future=True, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()

    def stop(self) -> None:
        self.run_as.run([str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir),
                         "-m", "fast", "-w", "-t", "60"])


def _check(result: subprocess.CompletedProcess, step: str, log: Optional[Path] = None) -> None:
    if result.returncode == 0:
        return
    details = (result.stderr or result.stdout or "").strip()
    if log is not None and log.exists():
        details += "\n" + log.read_text(errors="replace")[-4000:]
    raise PostgresUnavailable(f"Throwaway PostgreSQL server: {step} failed:\n{details}")


def _init(cluster: Cluster) -> None:
    password_file = cluster.directory / "password"
    password_file.write_text(cluster.password + "\n")
    cluster.run_as.give(password_file)
    _check(cluster.run_as.run([
        str(cluster.bin_dir / "initdb"), "-D", str(cluster.data_dir), "-U", cluster.user,
        f"--pwfile={password_file}", "--auth=scram-sha-256", "--encoding=UTF8", "--no-locale",
        "--no-sync"]), "initdb")
    password_file.unlink()
    settings = {**SERVER_SETTINGS, "port": str(cluster.port),
                "unix_socket_directories": f"'{cluster.directory}'"}
    with (cluster.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# tests/postgres.py: a throwaway server, loopback only\n")
        conf.writelines(f"{name} = {value}\n" for name, value in settings.items())


def start_cluster() -> Cluster:
    """initdb a new cluster in a temporary directory and start it; call stop_cluster() after."""
    bin_dir = find_bin_dir()
    run_as = RunAs.for_this_process()
    directory = Path(tempfile.mkdtemp(prefix="pg-test-", dir=_base_dir(run_as)))
    run_as.give(directory)
    cluster = Cluster(bin_dir, directory, free_port(), secrets.token_urlsafe(18), run_as)
    try:
        _init(cluster)
        log = directory / "server.log"
        log.touch()
        run_as.give(log)
        _check(run_as.run([str(bin_dir / "pg_ctl"), "start", "-D", str(cluster.data_dir),
                           "-l", str(log), "-w", "-t", "60"]), "start", log)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    try:
        cluster.stop()
    finally:
        shutil.rmtree(cluster.directory, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A running server for the block; stopped and deleted afterwards, even on errors."""
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


@contextlib.contextmanager
def throwaway_database(cluster: Cluster) -> Iterator[str]:
    """A new, empty database on the cluster for the block; returns its name."""
    name = f"test_{secrets.token_hex(6)}"
    cluster.create_database(name)
    try:
        yield name
    finally:
        cluster.drop_database(name)
