"""One real cluster for the failure tests: PostgreSQL, Redis, two Rasa
replicas, the action server, the console and nginx, on free loopback ports,
with its data in a temporary folder (bot/cluster/, as `make run-cluster`
starts it).

The tests in this folder share it and run in file order; the last one kills
every process, so nothing may come after it.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from bot.cluster.cluster import ClusterSpec, RunningCluster, running_cluster
from bot.services import free_port
from bot.train import ensure_model


def cluster_spec(folder: Path, model: Path) -> ClusterSpec:
    return ClusterSpec(
        folder=folder, model=model, replica_ports=(free_port(), free_port()), action_port=free_port(),
        staff_port=free_port(), postgres_port=free_port(), redis_port=free_port(),
        https_port=free_port(), console_port=free_port(), http_port=free_port(),
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
