"""Resident memory of a server process and everything it started.

Read from /proc/<pid>/status (VmRSS) for the process and all its descendants:
Sanic workers are forked children when SANIC_WORKERS > 1, and they hold their
own copy of the model. Shared pages are counted once per process, so the sum
overstates real use a little for forked workers; it is the conservative figure.
"""
from __future__ import annotations

import os
import threading
from typing import Dict, Iterable, List


def _parent_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            # The command name (field 2) may contain spaces; fields after ")" are fixed.
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def process_tree(pid: int) -> List[int]:
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            children.setdefault(_parent_of(int(entry)), []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def rss_mb(pid: int) -> float:
    """VmRSS of pid and its descendants, in MiB (0 when the process is gone)."""
    total_kb = 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total_kb += int(line.split()[1])
                        break
        except OSError:
            continue
    return total_kb / 1024


class PeakSampler:
    """Samples the RSS of some processes in a thread; keeps the peak of each."""

    def __init__(self, pids: Dict[str, int], interval: float = 0.5) -> None:
        self.pids = pids
        self.interval = interval
        self.peak: Dict[str, float] = {name: rss_mb(pid) for name, pid in pids.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: Iterable) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_mb(pid))
