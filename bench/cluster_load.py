"""`python -m bench.cluster_load`: the load bench against the cluster, beside `make run`.

Issue #14, item 5: throughput and p95 at 20 and 50 visitors for a cluster of
1 and 2 Rasa replicas (bot/cluster/, as `make run-cluster` starts it:
PostgreSQL, Redis, the action server, nginx with TLS in front, on free
loopback ports in a temporary folder), and for `make run`'s single process
(SQLite, no nginx: bench/stacks.py's "shipped" stack). The visitors are the
bench's own (bench/load.py: Locust, seeded conversations, no think time, a
closed loop), through nginx over HTTPS for the cluster.

One configuration is started at a time (the machine has two cores), warmed
up with a few turns, then loaded once per visitor count for --duration
seconds; fresh visitors (new conversations) for each count. Abuse limits
are off, as in `make bench`: every simulated visitor comes from loopback.
There is one round per measurement, not the alternation `make bench` uses,
so a noisy neighbour shows in these figures (the load average is recorded
before and after each).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from bench.client import Client
from bench.loadrun import run_load, summarise
from bench.scenario import sender_id
from bench.stacks import Started, start_ours
from bench.targets import OURS, Target, reply_problem
from bench.variants import parse_variant
from bot.cluster.cluster import ClusterSpec, running_cluster
from bot.services import ServiceFailed, free_port
from bot.train import ensure_model

CONFIGURATIONS = ("single", "cluster1", "cluster2")


def _load_average() -> float:
    return round(os.getloadavg()[0], 2)


def _warm_up(target: Target, turns: int, cluster: Any = None) -> None:
    """A few turns first: the first turns of a replica build lazily-loaded parts
    (nginx spreads them over the replicas)."""
    from tests.cluster.visitor import Visitor

    client = Client(target.base_url) if cluster is None else None
    try:
        for n in range(turns):
            sender = sender_id(f"{target.label}-warm", n)
            if client is not None:
                status, body, _ = client.post(target.webhook_path, {"sender": sender, "message": "hello"})
            else:
                result = Visitor(cluster.spec.https_port, cluster.spec.certificate, sender=sender).say("hello")
                status, body = result.status, result.body
            problem = reply_problem(OURS, status, body)
            if problem:
                raise ServiceFailed(f"{target.label}: warm-up turn failed: {problem}")
    finally:
        if client is not None:
            client.close()


@contextlib.contextmanager
def _started(name: str, model: Path, folder: Path) -> Iterator[Started]:
    if name == "single":
        with start_ours(model, folder / name, parse_variant("shipped"), name) as started:
            _warm_up(started.target, 6)
            yield started
        return
    replicas = int(name.removeprefix("cluster"))
    spec = ClusterSpec(folder=folder / name, model=model,
                       replica_ports=tuple(free_port() for _ in range(replicas)),
                       action_port=free_port(), staff_port=free_port(), postgres_port=free_port(),
                       redis_port=free_port(), https_port=free_port(), console_port=free_port(),
                       http_port=free_port(), env={"RATE_LIMITS": "off"})
    with running_cluster(spec) as cluster:
        target = Target(name, OURS, f"https://localhost:{spec.https_port}")
        _warm_up(target, 6, cluster)
        yield Started(target, cluster.replica(0).pid, cluster.stack.processes["actions"].pid, "",
                      spec.folder, None, 0.0, 0.0, 0.0)


def measure(configurations: list[str], users: list[int], duration: int, model: Path,
            folder: Path) -> list[dict[str, Any]]:
    rows = []
    for name in configurations:
        with _started(name, model, folder) as started:
            for count in users:
                load_before = _load_average()
                began = time.monotonic()
                labelled = Started(Target(f"{name}-{count}", OURS, started.target.base_url), started.rasa_pid,
                                   started.action_pid, "", started.workdir, None, 0.0, 0.0, 0.0)
                summary = summarise([run_load(labelled, count, duration)])
                rows.append({"configuration": name, "users": count, "load_before": load_before,
                             "load_after": _load_average(), "wall_s": round(time.monotonic() - began, 1),
                             **{k: summary[k] for k in ("messages_per_s", "p50_ms", "p95_ms", "p99_ms",
                                                        "answered", "errors", "error_kinds", "duration_s")}})
                print(json.dumps(rows[-1]), flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    names = {"single": "`make run` (one process, SQLite)", "cluster1": "cluster, 1 replica",
             "cluster2": "cluster, 2 replicas"}
    lines = ["| Stack | Visitors | Messages/s | p50 (ms) | p95 (ms) | Turns | Errors | Load avg before → after |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {names.get(r['configuration'], r['configuration'])} | {r['users']} | "
                     f"{r['messages_per_s']} | {r['p50_ms']:,.0f} | {r['p95_ms']:,.0f} | {r['answered']} | "
                     f"{r['errors']} | {r['load_before']} → {r['load_after']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configurations", default=",".join(CONFIGURATIONS),
                        help="comma-separated, from: " + ", ".join(CONFIGURATIONS))
    parser.add_argument("--users", default="20,50", help="visitor counts, comma-separated")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per measurement")
    parser.add_argument("--json", type=Path, default=Path("reports/bench/cluster-load.json"))
    args = parser.parse_args(argv)
    configurations = [c for c in args.configurations.split(",") if c]
    unknown = set(configurations) - set(CONFIGURATIONS)
    if unknown:
        parser.error(f"unknown configurations: {', '.join(sorted(unknown))}")
    folder = Path(tempfile.mkdtemp(prefix="cluster-load-", dir="/tmp"))
    try:
        rows = measure(configurations, [int(u) for u in args.users.split(",")], args.duration,
                       ensure_model(quiet=True), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2))
    print(table(rows))
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
