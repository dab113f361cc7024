"""A throwaway Redis on loopback for the lock store of multi-worker Rasa.

Rasa refuses SANIC_WORKERS > 1 with its in-memory lock store, because two
workers could then handle the same conversation at once. Debian's
redis-server is started on a free loopback port, keeps nothing on disk and is
stopped with the benchmark.
"""
from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from typing import Iterator

from bot.cluster.servers import redis_answers_ping
from bot.services import ServiceFailed, free_port, stop


def available() -> bool:
    return shutil.which("redis-server") is not None


@contextlib.contextmanager
def redis_server(timeout: float = 20.0) -> Iterator[int]:
    """Yields the port of a running redis-server; stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while not redis_answers_ping(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServiceFailed(f"redis-server did not start (exit code {process.poll()})")
            time.sleep(0.1)
        yield port
    finally:
        stop(process, grace=10)
