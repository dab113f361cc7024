"""`python -m bench.cluster_cost [--conversations N]`: what one turn costs each part of the cluster.

Starts a cluster with one replica (bot/cluster/, as `make run-cluster` does,
on free loopback ports in a temporary folder), holds the bench's seeded
conversations (bench/scenario.py) one turn at a time through nginx, and
reads each part's own counters before and after:

- the Rasa replica's and the action server's CPU seconds (/proc/PID/stat);
- PostgreSQL: transactions, rows read and written (pg_stat_database), bytes
  of write-ahead log (pg_current_wal_lsn), and the events table's size;
- Redis: commands processed (INFO stats).

Divided by the number of turns, these are the per-turn costs that
docs/performance.md ("Scale, projected") multiplies out. One turn at a time,
so no figure includes queueing; the latency figures come from `make bench`.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.scenario import conversation
from bot.cluster.cluster import ClusterSpec, RunningCluster, running_cluster
from bot.services import free_port
from bot.train import ensure_model
from tests.cluster.visitor import Visitor

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def postgres_counters(cluster: RunningCluster) -> dict[str, float]:
    engine = sa.create_engine(cluster.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(sa.text(
                "SELECT xact_commit, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted "
                "FROM pg_stat_database WHERE datname = current_database()")).mappings().one()
            wal = connection.execute(sa.text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")).scalar()
            events = connection.execute(sa.text(
                "SELECT count(*), coalesce(sum(pg_column_size(events.*)), 0) FROM events")).one()
    finally:
        engine.dispose()
    return {**{k: float(v) for k, v in row.items()}, "wal_bytes": float(wal),
            "event_rows": float(events[0]), "event_bytes": float(events[1])}


def redis_commands(port: int) -> float:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"INFO stats\r\n")
        data = b""
        while b"total_commands_processed" not in data or not data.endswith(b"\r\n"):
            data += sock.recv(65536)
    line = next(l for l in data.decode().splitlines() if l.startswith("total_commands_processed:"))
    return float(line.split(":")[1])


def snapshot(cluster: RunningCluster) -> dict[str, float]:
    time.sleep(1.5)  # pg_stat_database is updated by each backend about once a second
    return {"rasa_cpu_s": cpu_seconds(cluster.replica(0).pid),
            "actions_cpu_s": cpu_seconds(cluster.stack.processes["actions"].pid),
            "redis_commands": redis_commands(cluster.spec.redis_port),
            **postgres_counters(cluster)}


def measure(cluster: RunningCluster, conversations: int) -> dict[str, Any]:
    # Warm up (first turns load lazily-built parts), then measure.
    Visitor(cluster.spec.https_port, cluster.spec.certificate).say("hello")
    before = snapshot(cluster)
    turns = 0
    for seed in range(conversations):
        visitor = Visitor(cluster.spec.https_port, cluster.spec.certificate, sender=f"cost-{seed:04d}-visitor")
        for turn in conversation(seed):
            result = visitor.say(turn.message)
            if not result.ok:
                raise RuntimeError(f"turn failed: {result.status} {result.body}")
            turns += 1
    after = snapshot(cluster)
    per_turn = {key: (after[key] - before[key]) / turns for key in before}
    return {"turns": turns, "conversations": conversations, "per_turn": per_turn}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster_cost", description=__doc__)
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="cluster-cost-", dir="/tmp"))
    try:
        spec = ClusterSpec(folder=folder, model=ensure_model(quiet=True), replica_ports=(free_port(),),
                           action_port=free_port(), staff_port=free_port(), postgres_port=free_port(),
                           redis_port=free_port(), https_port=free_port(), console_port=free_port(),
                           http_port=free_port(), env={"RATE_LIMITS": "off"})
        with running_cluster(spec) as cluster:
            result = measure(cluster, args.conversations)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
