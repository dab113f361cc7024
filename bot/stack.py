"""One description of a running assistant: its services, ports, endpoints and environment.

`make run`, `make run-cluster` (bot/cluster/), the tests (tests/conftest.py,
tests/cluster/), the benchmark (bench/stacks.py) and the evaluation
(bot/evaluate/runner.py) used to start the Rasa server and the action server
each their own way, and each kept its own copy of the environment. Now a
`StackSpec` says what runs where, `endpoints()` says what the Rasa servers
are told, and `start()` starts it; the callers only choose the stores and the
ports. Processes themselves are started and stopped by bot/services.py.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence

import yaml

from bot.settings import get_settings

# The action server answers only requests carrying this secret
# (bot/action_server.py); endpoints.yml hands it to the Rasa server. Unless a
# deployment sets one, each process that starts the pair makes its own, so it
# is never written to disk.
_ACTION_SERVER_TOKEN = secrets.token_urlsafe(32)


def rasa_env() -> dict[str, str]:
    """Environment for every process of ours: no telemetry, quiet TensorFlow,
    loopback, the shared secret, and the ports from Settings (endpoints.yml
    reads ${ACTION_PORT} and ${STAFF_PORT})."""
    settings = get_settings()
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        # No training cache: training takes seconds, and a cached component
        # could outlive a change to its code (the cache keys on config only).
        RASA_MAX_CACHE_SIZE="0",
        # rasa_sdk's action server binds to SANIC_HOST, 0.0.0.0 by default:
        # loopback only, unless a deployment says otherwise.
        SANIC_HOST=env.get("SANIC_HOST") or "127.0.0.1",
        ACTION_SERVER_TOKEN=env.get("ACTION_SERVER_TOKEN") or _ACTION_SERVER_TOKEN,
        ACTION_PORT=str(settings.action_port),
        STAFF_PORT=str(settings.staff_port),
        # Rasa's own variable: how long a conversation's lock may be held.
        TICKET_LOCK_LIFETIME=env.get("TICKET_LOCK_LIFETIME") or str(settings.lock_lifetime),
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONPATH=os.pathsep.join(filter(None, [str(settings.root), env.get("PYTHONPATH", "")])),
    )
    return env


def action_endpoint(url: str) -> dict[str, str]:
    """endpoints.yml's action_endpoint: the Rasa server sends the shared secret."""
    return {"url": url, "token": "${ACTION_SERVER_TOKEN}"}


def sqlite_tracker_store(path: Path) -> dict[str, Any]:
    return {"type": "SQL", "dialect": "sqlite", "db": str(path)}


def endpoints(action_url: Optional[str], tracker_store: Mapping[str, Any],
              lock_store: Optional[Mapping[str, Any]] = None,
              model_server_url: Optional[str] = None) -> dict[str, Any]:
    """What a Rasa server of ours is told (the repo's endpoints.yml is this, for `make run`)."""
    result: dict[str, Any] = {"tracker_store": dict(tracker_store)}
    if action_url:
        result["action_endpoint"] = action_endpoint(action_url)
        # Answers are rendered from data/content/ at reply time.
        result["nlg"] = {"type": "bot.dialogue.nlg.ContentNLG"}
    if lock_store:
        result["lock_store"] = dict(lock_store)
    if model_server_url:
        result["models"] = {"url": model_server_url, "token": "${MODEL_SERVER_TOKEN}",
                            "wait_time_between_pulls": 10}
    return result


def write_endpoints(path: Path, content: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(dict(content), sort_keys=False))
    return path


@dataclass(frozen=True)
class Service:
    """One process: how to start it, where it says it is up, where it logs."""

    name: str
    command: tuple[str, ...]
    health_url: str
    env: Mapping[str, str]
    log: Optional[Path]


@dataclass(frozen=True)
class StackSpec:
    """The action server, optionally the staff console, and one or more Rasa replicas.

    Rasa replicas listen on rasa_ports (one each); all share endpoints_file,
    so with more than one the file must name a shared tracker store and a
    Redis lock store (bot/cluster/ writes such a file).
    """

    model: Path
    endpoints_file: Path
    logs: Path
    action_port: int
    rasa_ports: tuple[int, ...]
    staff_port: Optional[int] = None
    env: Mapping[str, str] = field(default_factory=dict)
    # Only for the Rasa servers (e.g. SANIC_WORKERS, TensorFlow thread levers).
    rasa_env: Mapping[str, str] = field(default_factory=dict)
    rasa_args: tuple[str, ...] = ()

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    def rasa_url(self, replica: int = 0) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[replica]}"

    def full_env(self) -> dict[str, str]:
        return {**rasa_env(), **self.env}

    def action_service(self) -> Service:
        return Service("actions", tuple(action_server_command(self.action_port)),
                       f"http://127.0.0.1:{self.action_port}/health", self.full_env(),
                       self.logs / "actions.log")

    def staff_service(self) -> Optional[Service]:
        if self.staff_port is None:
            return None
        return Service("staff", (sys.executable, "-m", "bot.staff.app", "--port", str(self.staff_port)),
                       f"http://127.0.0.1:{self.staff_port}/health", self.full_env(),
                       self.logs / "staff.log")

    def rasa_service(self, replica: int = 0) -> Service:
        port = self.rasa_ports[replica]
        name = "rasa" if len(self.rasa_ports) == 1 else f"rasa-{replica + 1}"
        return Service(name, tuple(rasa_server_command(self.model, port, self.endpoints_file, self.rasa_args)),
                       f"http://127.0.0.1:{port}/widget/health",
                       {**self.full_env(), **self.rasa_env, "LOG_SERVICE": name},
                       self.logs / f"{name}.log")


def action_server_command(port: int) -> list[str]:
    """bot/action_server.py: loopback, a shared secret, capped bodies."""
    return [sys.executable, "-m", "bot.action_server", "--port", str(port)]


def rasa_server_command(model: Path, port: int, endpoints_file: Path, extra: Sequence[str] = ()) -> list[str]:
    """bot/rasa_server.py: `rasa run` with masked logs and capped bodies, on loopback."""
    return [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(model), "--port", str(port),
            "--endpoints", str(endpoints_file), "--credentials", "credentials.yml",
            "--interface", "127.0.0.1", *extra]


@dataclass
class RunningStack:
    spec: StackSpec
    processes: dict[str, Any]  # service name -> subprocess.Popen


@contextlib.contextmanager
def start(spec: StackSpec, before_rasa: Optional[Any] = None,
          on_start: Optional[Any] = None) -> Iterator[RunningStack]:
    """Start the action server, the console, then every Rasa replica at once
    (they load the model in parallel); stop them all when the block ends.

    before_rasa(running) runs once the action server and the console are up
    (`make run` checks the console's model server there). on_start(service)
    is called as each service starts, for progress lines.
    """
    from bot.services import running, running_together

    spec.logs.mkdir(parents=True, exist_ok=True)
    processes: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        for service in filter(None, (spec.action_service(), spec.staff_service())):
            if on_start:
                on_start(service)
            processes[service.name] = stack.enter_context(running(
                service.command, service.health_url, env=dict(service.env), log=service.log))
        current = RunningStack(spec, processes)
        if before_rasa:
            before_rasa(current)
        replicas = [spec.rasa_service(i) for i in range(len(spec.rasa_ports))]
        for service in replicas:
            if on_start:
                on_start(service)
        started = stack.enter_context(running_together(replicas))
        processes.update(zip((s.name for s in replicas), started))
        yield current
