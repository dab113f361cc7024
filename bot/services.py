"""Starting and stopping processes and waiting for them to answer.

What runs (commands, ports, environment) is described in bot/stack.py; this
module only knows how to run a process until a block ends."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator, Sequence

from bot.settings import get_settings
from bot.stack import action_server_command, rasa_env


class ServiceFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(log: Path | None, characters: int = 3000) -> str:
    if log is None or not log.exists():
        return ""
    return "\n" + log.read_text(errors="replace")[-characters:]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 180.0, log: Path | None = None) -> None:
    """Poll url until it answers 200; fail early (with the end of its log) if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServiceFailed(f"{process.args[2:4]} exited with code {process.returncode}{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.3)
    raise ServiceFailed(f"{url} did not answer within {timeout:.0f}s")


@contextlib.contextmanager
def running_together(services: Sequence[Any], timeout: float = 240.0) -> Iterator[list[subprocess.Popen]]:
    """Start several services (bot.stack.Service) at once, wait for each; stop all afterwards.

    Rasa replicas load their model in parallel this way, instead of one after another.
    """
    root = get_settings().root
    processes: list[subprocess.Popen] = []
    outputs = []
    try:
        for service in services:
            output = open(service.log, "ab") if service.log else subprocess.DEVNULL
            outputs.append(output)
            processes.append(subprocess.Popen(list(service.command), cwd=root, env=dict(service.env),
                                              stdout=output, stderr=subprocess.STDOUT))
        for service, process in zip(services, processes):
            wait_for(service.health_url, process, timeout, service.log)
        yield processes
    finally:
        for process in processes:
            stop(process)
        for output in outputs:
            if output is not subprocess.DEVNULL:
                output.close()


@contextlib.contextmanager
def running(command: Sequence[str], health_url: str, env: dict[str, str] | None = None,
            log: Path | None = None, timeout: float = 180.0) -> Iterator[subprocess.Popen]:
    """Run a server process until the block ends; stop it even on errors."""
    root = get_settings().root
    output = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(list(command), cwd=root, env=env or rasa_env(),
                               stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for(health_url, process, timeout, log)
        yield process
    finally:
        stop(process)
        if log:
            output.close()


def stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    """Ask a server to stop; kill it if it does not within the grace period."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def action_server(port: int, log: Path | None = None):
    return running(action_server_command(port), f"http://127.0.0.1:{port}/health", log=log)
