"""Shared fixtures: a trained model and the real running stack.

Nothing here mocks Rasa: `stack` starts the real action server and Rasa
server on free loopback ports, with their own SQLite files in a temporary
folder, exactly as `make run` starts them.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from bot import stack as stacks
from bot.services import free_port
from bot.settings import get_settings
from bot.train import ensure_model

ROOT = get_settings().root


@pytest.fixture(scope="session", autouse=True)
def scratch_conversation_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Closing a callback request masks its conversation in the store that
    endpoints.yml names (bot/handoff/store.py): no test may reach a
    developer's own var/tracker.db that way. Tests that need a store of
    their own set ENDPOINTS_FILE themselves."""
    folder = tmp_path_factory.mktemp("endpoints")
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": {
        "type": "SQL", "dialect": "sqlite", "db": str(folder / "tracker.db")}}))
    previous = os.environ.get("ENDPOINTS_FILE")
    os.environ["ENDPOINTS_FILE"] = str(endpoints)
    try:
        yield endpoints
    finally:
        if previous is None:
            os.environ.pop("ENDPOINTS_FILE", None)
        else:
            os.environ["ENDPOINTS_FILE"] = previous


@pytest.fixture(scope="session")
def model_path() -> Path:
    return ensure_model(quiet=True)


@dataclass(frozen=True)
class Stack:
    base_url: str
    action_url: str
    database_url: str
    workdir: Path
    processes: tuple[subprocess.Popen, ...] = field(default=(), compare=False)

    @property
    def webhook(self) -> str:
        return f"{self.base_url}/widget/webhook"


def write_endpoints(path: Path, action_url: str, tracker_db: Path) -> Path:
    return stacks.write_endpoints(path, stacks.endpoints(action_url, stacks.sqlite_tracker_store(tracker_db)))


@contextlib.contextmanager
def start_stack(model: Path, workdir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Action server + Rasa server on free ports; everything stored under workdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'clinic.db'}"
    action_port, rasa_port = free_port(), free_port()
    # The abuse limits are off unless a test asks for them (extra_env
    # {"RATE_LIMITS": "on"}): every test talks from loopback, one client.
    spec = stacks.StackSpec(
        model=model, endpoints_file=workdir / "endpoints.yml", logs=workdir,
        action_port=action_port, rasa_ports=(rasa_port,),
        env={"DATABASE_URL": database_url, "RATE_LIMITS": "off", **(extra_env or {})})
    write_endpoints(spec.endpoints_file, spec.action_url, workdir / "tracker.db")
    with stacks.start(spec) as running_stack:
        yield Stack(spec.rasa_url(), spec.action_url, database_url, workdir,
                    (running_stack.processes["actions"], running_stack.processes["rasa"]))


@pytest.fixture(scope="session")
def stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with start_stack(model_path, tmp_path_factory.mktemp("stack")) as running_stack:
        yield running_stack
