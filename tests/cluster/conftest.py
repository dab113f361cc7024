"""One real cluster for the failure tests: PostgreSQL, Redis, two Rasa
replicas, the action server, the console and nginx, on free loopback ports,
with its data in a temporary folder (bot/cluster/, as `make run-cluster`
starts it).

The tests in this folder share it and run in file order; the last one kills
every process, so nothing may come after it.
"""
from __future__ import annotations

import random
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from bot.cluster.cluster import ClusterSpec, RunningCluster, running_cluster
from bot.train import ensure_model


def _ephemeral_floor() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def listening_ports(count: int) -> list[int]:
    """Free loopback ports below the ephemeral range.

    A port the kernel hands out for binding to port 0 (bot.services.free_port)
    is an ephemeral port: between choosing it and a server binding it, the
    cluster's own outgoing connections (replicas to PostgreSQL and Redis,
    readiness polls) may take it as their local port. Ports below the
    ephemeral range are never taken that way.
    """
    floor = _ephemeral_floor()
    rng = random.Random()
    chosen: list[int] = []
    while len(chosen) < count:
        port = rng.randrange(max(1024, floor - 12000), floor)
        if port in chosen:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
    return chosen


def cluster_spec(folder: Path, model: Path) -> ClusterSpec:
    (replica_1, replica_2, action, staff, postgres, redis, https, console, http) = listening_ports(9)
    return ClusterSpec(
        folder=folder, model=model, replica_ports=(replica_1, replica_2), action_port=action,
        staff_port=staff, postgres_port=postgres, redis_port=redis,
        https_port=https, console_port=console, http_port=http,
        # Short, so a conversation whose replica was killed mid-turn is
        # taken over soon (bot/settings.py, lock_lifetime).
        lock_lifetime=8,
        # Twenty visitors from one loopback address: generous limits, but on
        # and counted in Redis, so a Redis outage exercises that path too.
        env={"RATE_LIMIT_MESSAGES_PER_CLIENT": "100000/minute",
             "RATE_LIMIT_CONVERSATIONS_PER_CLIENT": "100000/hour",
             "RATE_LIMIT_CALLBACKS_PER_CLIENT": "1000/hour",
             "STAFF_COOKIE_SECURE": "1"})


@pytest.fixture(scope="session")
def cluster() -> Iterator[RunningCluster]:
    # Not pytest's tmp_path: its folders are private to root, and the servers
    # run as `nobody` under root (bot/cluster/servers.py).
    folder = Path(tempfile.mkdtemp(prefix="cluster-test-", dir="/tmp"))
    try:
        with running_cluster(cluster_spec(folder, ensure_model(quiet=True))) as running:
            yield running
    finally:
        shutil.rmtree(folder, ignore_errors=True)
