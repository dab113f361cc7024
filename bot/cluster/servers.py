"""PostgreSQL, Redis and nginx from Debian packages, run in the foreground on loopback.

`make run-cluster` and the cluster tests start these themselves, each with its
data in its own folder, so no system service is touched or needed. Each runs
as a child process in its own process group: stopping it is SIGTERM (a clean
shutdown), and the failure tests can SIGKILL the whole group (the server and
every worker or backend it forked), which is what a crash looks like.

PostgreSQL refuses to run as root; under root every server here runs as the
unprivileged `nobody` account (subprocess's user switch, no sudo), and its
folder is handed to that account.
"""
from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence

PG_BINARIES = ("initdb", "pg_ctl", "postgres")
DEBIAN_PG_DIRS = Path("/usr/lib/postgresql")
UNPRIVILEGED_USER = "nobody"


class ServerUnavailable(RuntimeError):
    """A server could not be found or started; the message says what to install or fix."""


def missing_postgres_message(where: str) -> str:
    return (f"PostgreSQL server binaries ({', '.join(PG_BINARIES)}) not found {where}. "
            "Install the Debian/Ubuntu package `postgresql` (apt-get install postgresql), "
            "or set POSTGRES_BIN_DIR to the folder that holds them. No running service is needed.")


def _has_binaries(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) for name in PG_BINARIES)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name)) or (0,)


def find_postgres_bin_dir() -> Path:
    """POSTGRES_BIN_DIR, else the newest Debian server install, else the folder of pg_ctl on PATH."""
    given = os.environ.get("POSTGRES_BIN_DIR", "").strip()
    if given:
        if _has_binaries(Path(given)):
            return Path(given)
        raise ServerUnavailable(missing_postgres_message(f"in POSTGRES_BIN_DIR={given}"))
    candidates = sorted((d for d in DEBIAN_PG_DIRS.glob("*/bin") if _has_binaries(d)),
                        key=_version_key, reverse=True)
    if candidates:
        return candidates[0]
    on_path = shutil.which("pg_ctl")
    if on_path and _has_binaries(Path(on_path).parent):
        return Path(on_path).parent
    raise ServerUnavailable(missing_postgres_message(f"in {DEBIAN_PG_DIRS}/<version>/bin or on PATH"))


def find_program(name: str, package: str) -> str:
    found = shutil.which(name) or next((str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name)
                                        if os.access(p, os.X_OK)), None)
    if not found:
        raise ServerUnavailable(f"`{name}` not found: install the Debian package `{package}` "
                                f"(apt-get install --no-install-recommends {package}).")
    return found


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
            raise ServerUnavailable(f"Running as root, and PostgreSQL refuses root: its server runs as "
                                    f"`{UNPRIVILEGED_USER}`, but this machine has no such account.") from missing
        return cls(account.pw_uid, account.pw_gid)

    def give(self, path: Path) -> None:
        if self.uid is not None:
            for item in [path, *path.rglob("*")]:
                os.chown(item, self.uid, self.gid)

    def switch(self) -> dict:
        return {} if self.uid is None else {"user": self.uid, "group": self.gid, "extra_groups": []}

    def run(self, command: Sequence[str]) -> subprocess.CompletedProcess:
        return subprocess.run(list(command), env=_plain_env(), cwd="/", capture_output=True, text=True,
                              **self.switch())


def reachable_by(run_as: RunAs, folder: Path) -> None:
    """Let the unprivileged account traverse (not list) the folders above its own."""
    if run_as.uid is None:
        return
    for path in [folder, *folder.parents]:
        if path == Path("/"):
            break
        mode = path.stat().st_mode
        if not mode & 0o001:
            path.chmod(mode | 0o001)


def _plain_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Server:
    """A foreground server process in its own process group."""

    name: str
    command: list[str]
    log: Path
    ready: Callable[[], bool]
    run_as: RunAs
    process: Optional[subprocess.Popen] = field(default=None, repr=False)

    def start(self, timeout: float = 60.0) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(self.command, env=_plain_env(), cwd="/", stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            **self.run_as.switch())
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.log.read_text(errors="replace")[-2000:]
                self.kill()
                raise ServerUnavailable(f"{self.name} did not start (exit code {self.process.poll()}):\n{tail}")
            time.sleep(0.1)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, grace: float = 30.0) -> None:
        """A clean shutdown (SIGTERM: PostgreSQL's "smart" mode would wait for clients; we
        send SIGINT to it, its "fast" mode)."""
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGINT if self.name == "postgresql" else signal.SIGTERM)
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL the server and everything it forked, as a crash would."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


@dataclass
class Postgres:
    """A PostgreSQL cluster in folder; one database and one login for the assistant."""

    folder: Path
    port: int
    run_as: RunAs
    database: str = "clinic"
    user: str = "clinic"
    durable: bool = True  # fsync on: a confirmed callback request survives a crash

    def __post_init__(self) -> None:
        self.bin_dir = find_postgres_bin_dir()
        self.server = Server("postgresql", [str(self.bin_dir / "postgres"), "-D", str(self.data_dir)],
                             self.folder / "server.log", lambda: self._answers(), self.run_as)

    @property
    def data_dir(self) -> Path:
        return self.folder / "data"

    @property
    def password_file(self) -> Path:
        return self.folder / "clinic_password"

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    def url(self) -> str:
        from sqlalchemy.engine import URL

        return URL.create("postgresql", self.user, self.password, "127.0.0.1", self.port,
                          self.database).render_as_string(hide_password=False)

    def _answers(self) -> bool:
        """Accepting queries, not just connections (after a crash it first replays its log)."""
        import psycopg2

        try:
            connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user,
                                          password=self.password, dbname="postgres", connect_timeout=2)
        except psycopg2.OperationalError:
            return False
        connection.close()
        return True

    def initialise(self) -> None:
        """initdb once (the first start); later starts reuse the data."""
        if (self.data_dir / "PG_VERSION").exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        if not self.password_file.exists():
            self.password_file.write_text(secrets.token_urlsafe(24) + "\n")
        self.password_file.chmod(0o600)
        self.run_as.give(self.folder)
        result = self.run_as.run([str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", self.user,
                                  f"--pwfile={self.password_file}", "--auth=scram-sha-256",
                                  "--encoding=UTF8", "--no-locale"])
        if result.returncode != 0:
            raise ServerUnavailable(f"initdb failed:\n{result.stderr or result.stdout}")
        settings = {"listen_addresses": "'127.0.0.1'", "port": str(self.port),
                    "unix_socket_directories": f"'{self.folder}'", "max_connections": "100",
                    "log_min_messages": "warning"}
        if not self.durable:
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# bot/cluster/servers.py: loopback only\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self.initialise()
        self.server.start()
        self._create_database()

    def _create_database(self) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import URL

        admin = URL.create("postgresql", self.user, self.password, "127.0.0.1", self.port, "postgres")
        engine = create_engine(admin, future=True, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                            {"name": self.database}).first()
                if not exists:
                    connection.execute(text(f'CREATE DATABASE "{self.database}"'))
        finally:
            engine.dispose()


def redis(folder: Path, port: int, run_as: RunAs) -> Server:
    """redis-server on loopback: the lock store and shared rate limits, nothing that must
    survive a restart (so no persistence)."""
    folder.mkdir(parents=True, exist_ok=True)
    run_as.give(folder)
    command = [find_program("redis-server", "redis-server"), "--port", str(port), "--bind", "127.0.0.1",
               "--protected-mode", "yes", "--dir", str(folder), "--save", "", "--appendonly", "no"]
    return Server("redis", command, folder / "redis.log", lambda: redis_answers_ping(port), run_as)


def redis_answers_ping(port: int) -> bool:
    """A PING on loopback answered with PONG: the server is up and serving."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def nginx(config: Path, folder: Path, port: int, run_as: RunAs) -> Server:
    """nginx in the foreground with its configuration and temporary files under folder."""
    command = [find_program("nginx", "nginx"), "-p", str(folder), "-c", str(config),
               "-e", str(folder / "error.log"), "-g", "daemon off;"]
    return Server("nginx", command, folder / "nginx.log", lambda: port_open(port), run_as)
