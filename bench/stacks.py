"""Starting our stack and the stock stack for a measurement, with timings.

Each stack gets free loopback ports, its own temporary folder with a SQLite
tracker store (and, for ours, its own clinic database and a copy of
data/content that the content-change measurement may edit). Both Rasa
servers run with --enable-api for /model/parse, bound to 127.0.0.1 and
protected by a random token all the same.
"""
from __future__ import annotations

import contextlib
import secrets
import sqlite3
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional

from bench.client import Client
from bench.redis_server import redis_server
from bench.scenario import sender_id
from bench.targets import OURS, STOCK, Target, reply_problem
from bench.variants import STOCK_VARIANT, Variant
from bot.services import ServiceFailed, free_port, running
from bot.settings import get_settings
from bot.stack import action_server_command, endpoints as stack_endpoints, rasa_env, rasa_server_command, \
    sqlite_tracker_store, write_endpoints


@dataclass
class Started:
    target: Target
    rasa_pid: int
    action_pid: Optional[int]
    token: str
    workdir: Path
    content_dir: Optional[Path]
    model_load_s: float  # Rasa server process start -> health endpoint answers
    startup_s: float  # first process start -> first visitor turn answered
    first_turn_s: float


def _endpoints(path: Path, action_url: Optional[str], tracker_db: Path, variant: Variant,
               redis_port: Optional[int]) -> Path:
    # Ours as bot/stack.py describes it (stock: no custom actions, Rasa's own
    # templated NLG), with the stores each variant swaps in.
    endpoints = stack_endpoints(action_url, sqlite_tracker_store(tracker_db))
    if variant.in_process:
        endpoints["nlg"] = {"type": "bench.preview.PreviewNLG"}
    if variant.workers > 1:
        endpoints["lock_store"] = {"type": "redis", "url": "127.0.0.1", "port": redis_port, "db": 1}
    if variant.tracker == "redis":
        endpoints["tracker_store"] = {"type": "redis", "url": "127.0.0.1", "port": redis_port, "db": 0}
    return write_endpoints(path, endpoints)


def _create_wal_database(path: Path) -> None:
    """WAL is a property of the database file, so creating the file in WAL
    mode is all it takes: every later connection (Rasa's, the staff
    console's) uses it. Commits then append to the log instead of rewriting
    pages through a rollback journal, and readers never block the writer."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def _first_turn(target: Target) -> float:
    client = Client(target.base_url)
    try:
        status, body, seconds = client.post(target.webhook_path,
                                            {"sender": sender_id(target.label, 0), "message": "hello"})
    finally:
        client.close()
    problem = reply_problem(target.kind, status, body)
    if problem:
        raise ServiceFailed(f"{target.label}: first turn failed: {problem}")
    return seconds


def _api_args(token: str) -> List[str]:
    return ["--enable-api", "--auth-token", token]


@contextlib.contextmanager
def _maybe_redis(variant: Variant) -> Iterator[Optional[int]]:
    if not variant.needs_redis:
        yield None
        return
    with redis_server() as port:
        yield port


@contextlib.contextmanager
def start_ours(model: Path, workdir: Path, variant: Variant, label: str) -> Iterator[Started]:
    """Our action server + Rasa server, as tests.conftest.start_stack starts them,
    plus the API (token-protected) and the variant's env vars and stores."""
    workdir.mkdir(parents=True, exist_ok=True)
    content_dir = workdir / "content"
    shutil.copytree(get_settings().content_dir, content_dir)
    # Twenty simulated visitors from one loopback address would be one client
    # far over the abuse limits (bot/abuse_limits.py): off for the load test.
    env = {**rasa_env(), "DATABASE_URL": f"sqlite:///{workdir / 'clinic.db'}", "CONTENT_DIR": str(content_dir),
           "RATE_LIMITS": "off"}
    # The variant's env vars go to the Rasa server only: with a TF_* thread
    # variable set, even `rasa run actions` imports TensorFlow (+450 MiB).
    server_env = {**env, **variant.env, "SANIC_WORKERS": str(variant.workers)}
    token = secrets.token_hex(16)
    action_port, rasa_port = free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}/webhook"
    base = f"http://127.0.0.1:{rasa_port}"
    if variant.wal:
        _create_wal_database(workdir / "tracker.db")
    with _maybe_redis(variant) as redis_port:
        endpoints = _endpoints(workdir / "endpoints.yml", action_url, workdir / "tracker.db",
                               variant, redis_port)
        began = time.monotonic()
        with running(action_server_command(action_port), f"http://127.0.0.1:{action_port}/health",
                     env=env, log=workdir / "actions.log") as actions:
            rasa_began = time.monotonic()
            with running(rasa_server_command(model, rasa_port, endpoints, _api_args(token)),
                         f"{base}/widget/health", env=server_env, log=workdir / "rasa.log") as rasa:
                model_load = time.monotonic() - rasa_began
                target = Target(label, OURS, base)
                first = _first_turn(target)
                yield Started(target, rasa.pid, actions.pid, token, workdir, content_dir,
                              model_load, time.monotonic() - began, first)


@contextlib.contextmanager
def start_stock(project: Path, model: Path, workdir: Path) -> Iterator[Started]:
    """The stock assistant as `rasa run --enable-api` serves it, REST channel on."""
    workdir.mkdir(parents=True, exist_ok=True)
    credentials = workdir / "credentials.yml"
    credentials.write_text("rest:\n")
    token = secrets.token_hex(16)
    rasa_port = free_port()
    base = f"http://127.0.0.1:{rasa_port}"
    endpoints = _endpoints(workdir / "endpoints.yml", None, workdir / "tracker.db",
                           STOCK_VARIANT, None)
    command = [sys.executable, "-m", "rasa", "run", "--model", str(model), "--port", str(rasa_port),
               "--endpoints", str(endpoints), "--credentials", str(credentials),
               "--interface", "127.0.0.1", *_api_args(token)]
    began = time.monotonic()
    # "/" answers only once the model is loaded: Sanic serves after the
    # before_server_start listener that loads the agent has finished.
    with running(command, f"{base}/", env=rasa_env(), log=workdir / "rasa.log") as rasa:
        model_load = time.monotonic() - began
        target = Target("stock", STOCK, base)
        first = _first_turn(target)
        yield Started(target, rasa.pid, None, token, workdir, None,
                      model_load, time.monotonic() - began, first)
