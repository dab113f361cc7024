"""The cluster: what runs, where its data lives, and starting it in order.

`make run-cluster` builds a `ClusterSpec` from Settings (ports, replica count)
with its data under var/cluster/; the cluster tests build one on free ports
in a temporary folder. Everything else is the same code: the Rasa replicas,
the action server and the console are a bot.stack.StackSpec like `make run`'s,
pointed at PostgreSQL and Redis.
"""
from __future__ import annotations

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Optional

from bot.cluster import nginx as nginx_conf
from bot.cluster.servers import Postgres, RunAs, Server, nginx, reachable_by, redis
from bot.settings import Settings
from bot.stack import RunningStack, Service, StackSpec, endpoints, start, write_endpoints

LOCK_DB, LIMITS_DB = 1, 2


@dataclass(frozen=True)
class ClusterSpec:
    """Ports and folders of one cluster; all services listen on 127.0.0.1 only."""

    folder: Path
    model: Path
    replica_ports: tuple[int, ...]
    action_port: int
    staff_port: int
    postgres_port: int
    redis_port: int
    https_port: int
    console_port: int
    http_port: int
    lock_lifetime: int = 15
    # The console's model server, for `make run-cluster` (replicas pull the live
    # model from it); the tests load `model` directly.
    model_server: bool = False
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, model: Path, **overrides: Any) -> "ClusterSpec":
        values: dict[str, Any] = dict(
            folder=settings.root / "var" / "cluster", model=model,
            replica_ports=tuple(settings.rasa_port + i for i in range(settings.cluster_replicas)),
            action_port=settings.action_port, staff_port=settings.staff_port,
            postgres_port=settings.cluster_postgres_port, redis_port=settings.cluster_redis_port,
            https_port=settings.cluster_https_port, console_port=settings.cluster_console_port,
            http_port=settings.cluster_http_port, lock_lifetime=settings.lock_lifetime)
        values.update(overrides)
        return cls(**values)

    @property
    def widget_url(self) -> str:
        return f"https://localhost:{self.https_port}/widget/"

    @property
    def console_url(self) -> str:
        return f"https://localhost:{self.console_port}/"

    @property
    def certificate(self) -> Path:
        return self.folder / "tls" / "localhost.crt"


@dataclass
class RunningCluster:
    spec: ClusterSpec
    postgres: Postgres
    redis: Server
    nginx: Server
    stack: RunningStack
    stack_spec: StackSpec
    restarted: list = field(default_factory=list)  # replicas started again by restart_replica

    @property
    def database_url(self) -> str:
        return self.postgres.url()

    def replica(self, index: int) -> Any:
        return self.stack.processes[self.stack_spec.rasa_service(index).name]

    def restart_replica(self, index: int) -> None:
        """Start a replica again (after a test killed it); stopped with the cluster."""
        import subprocess

        from bot.services import wait_for
        from bot.settings import get_settings

        service = self.stack_spec.rasa_service(index)
        with open(service.log, "ab") as output:
            process = subprocess.Popen(list(service.command), cwd=get_settings().root,
                                       env=dict(service.env), stdout=output, stderr=subprocess.STDOUT)
        self.restarted.append(process)
        wait_for(service.health_url, process, 240, service.log)
        self.stack.processes[service.name] = process


def stack_spec(spec: ClusterSpec, postgres: Postgres) -> StackSpec:
    """The Rasa replicas, action server and console, pointed at PostgreSQL and Redis."""
    tracker_store = {"type": "SQL", "dialect": "postgresql", "url": "127.0.0.1", "port": postgres.port,
                     "db": postgres.database, "username": postgres.user, "password": "${CLUSTER_DB_PASSWORD}"}
    lock_store = {"type": "redis", "url": "127.0.0.1", "port": spec.redis_port, "db": LOCK_DB}
    model_server = (f"http://127.0.0.1:{spec.staff_port}/model-server/live.tar.gz"
                    if spec.model_server else None)
    endpoints_file = write_endpoints(
        spec.folder / "endpoints.yml",
        endpoints(f"http://127.0.0.1:{spec.action_port}/webhook", tracker_store, lock_store, model_server))
    origins = [f"https://localhost:{spec.https_port}", f"https://127.0.0.1:{spec.https_port}"]
    env = {
        "DATABASE_URL": postgres.url(),
        "CLUSTER_DB_PASSWORD": postgres.password,
        "ENDPOINTS_FILE": str(endpoints_file),
        "ALLOWED_ORIGINS": ",".join(origins),
        # Every replica counts abuse limits in the same place, and hashes
        # client addresses with the same key.
        "RATE_LIMIT_STORAGE_URL": f"redis://127.0.0.1:{spec.redis_port}/{LIMITS_DB}",
        "CLIENT_KEY_SECRET": _secret(spec.folder / "client_key_secret"),
        "STAFF_SECRET_KEY": _secret(spec.folder / "staff_secret"),
        # nginx is the one proxy in front: the client is the address it forwards.
        "STAFF_TRUSTED_PROXIES": "1",
        "TICKET_LOCK_LIFETIME": str(spec.lock_lifetime),
        # One JSON object a log line, for a log collector (bot/log_format.py),
        # unless the environment asks for text.
        "LOG_FORMAT": os.environ.get("LOG_FORMAT") or "json",
        **spec.env,
    }
    return StackSpec(model=spec.model, endpoints_file=endpoints_file, logs=spec.folder / "logs",
                     action_port=spec.action_port, rasa_ports=spec.replica_ports, staff_port=spec.staff_port,
                     env=env, rasa_env={"SANIC_PROXIES_COUNT": "1"},
                     rasa_args=("--cors", *origins))


def _secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip()


@contextlib.contextmanager
def running_cluster(spec: ClusterSpec, on_start: Optional[Callable[[str], None]] = None,
                    before_rasa: Optional[Callable[[RunningStack], None]] = None,
                    durable: bool = True) -> Iterator[RunningCluster]:
    """PostgreSQL, Redis, the action server, the console, the replicas, then nginx."""
    from bot.web.crisis import CRISIS_LINE

    say = on_start or (lambda _name: None)
    run_as = RunAs.for_this_process()
    spec.folder.mkdir(parents=True, exist_ok=True)
    reachable_by(run_as, spec.folder)
    postgres = Postgres(spec.folder / "postgres", spec.postgres_port, run_as, durable=durable)
    redis_server = redis(spec.folder / "redis", spec.redis_port, run_as)
    nginx_folder = spec.folder / "nginx"
    nginx_conf.prepare(nginx_folder, run_as)
    cert, key = nginx_conf.make_certificate(spec.folder / "tls", run_as)
    config_file = nginx_folder / "nginx.conf"
    config_file.write_text(nginx_conf.config(
        nginx_folder, nginx_conf.NginxPorts(spec.https_port, spec.console_port, spec.http_port),
        spec.replica_ports, spec.staff_port, cert, key, CRISIS_LINE))
    run_as.give(nginx_folder)
    proxy = nginx(config_file, nginx_folder, spec.https_port, run_as)
    with contextlib.ExitStack() as stack:
        for name, server in (("PostgreSQL", postgres.server), ("Redis", redis_server)):
            say(name)
            stack.callback(server.stop)
            postgres.start() if server is postgres.server else server.start()
        services = stack_spec(spec, postgres)

        def announce(service: Service) -> None:
            say(service.name)

        running = stack.enter_context(start(services, before_rasa=before_rasa, on_start=announce))
        say("nginx")
        stack.callback(proxy.stop)
        proxy.start()
        cluster = RunningCluster(spec, postgres, redis_server, proxy, running, services)
        stack.callback(lambda: [_stop(p) for p in cluster.restarted])
        yield cluster


def _stop(process: Any) -> None:
    from bot.services import stop

    stop(process)
