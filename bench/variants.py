"""Run-time configurations of our stack that the benchmark can compare.

A variant is a set of levers joined with "+", e.g. `threads1+wal+workers2`,
or a preset name. Every lever is an environment variable, an endpoints.yml
entry or the way the benchmark creates the (temporary) tracker database, so
trying one needs no retraining and no edit to the project's files: the
benchmark writes its own endpoints.yml for each stack it starts. The
`in-process` lever loads bench/preview.py, the code change proposed in
docs/performance.md, through that endpoints.yml.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Tuple

LEVERS: Dict[str, str] = {
    # By default TensorFlow sizes its thread pools to the cores; with 2 cores
    # shared by two servers and the load generator, pools only add contention
    # for the tiny per-message graphs.
    "threads1": "1 TensorFlow/OpenMP thread (TF_INTRA/INTER_OP_PARALLELISM_THREADS, OMP_NUM_THREADS)",
    # glibc gives each thread its own malloc arena; TensorFlow's many threads
    # leave many partly used arenas behind.
    "arena2": "MALLOC_ARENA_MAX=2",
    "wal": "SQLite tracker store in write-ahead-log mode",
    "workers2": "SANIC_WORKERS=2 with a Redis lock store (redis-server on loopback)",
    "redis-tracker": "Redis tracker store instead of SQLite (the staff console cannot read it)",
    "in-process": "bench/preview.py: disclaimer and callback-form questions rendered in the Rasa server",
}
PRESETS: Dict[str, str] = {
    "shipped": "",  # as `make run` starts it
    "proposed": "in-process",  # the change docs/performance.md proposes
}
# Two workers double the memory (each loads the model); measured by default so
# the table shows that trade-off beside the one-worker figures.
DEFAULT_VARIANTS = ("shipped", "proposed", "proposed+workers2")
THREAD_ENV = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}


@dataclass(frozen=True)
class Variant:
    name: str
    levers: Tuple[str, ...] = ()
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def workers(self) -> int:
        return 2 if "workers2" in self.levers else 1

    @property
    def tracker(self) -> str:
        return "redis" if "redis-tracker" in self.levers else "sqlite"

    @property
    def wal(self) -> bool:
        return "wal" in self.levers

    @property
    def in_process(self) -> bool:
        return "in-process" in self.levers

    @property
    def needs_redis(self) -> bool:
        return self.workers > 1 or self.tracker == "redis"

    def describe(self) -> str:
        return "; ".join(LEVERS[lever] for lever in self.levers) or "as `make run` starts it"


def parse_variant(spec: str) -> Variant:
    """Levers and preset names joined by '+'; raises ValueError on unknown ones."""
    parts = [PRESETS.get(part, part) for part in spec.split("+")]
    levers = tuple(sorted({lever for part in parts for lever in part.split("+") if lever}))
    unknown = [lever for lever in levers if lever not in LEVERS]
    if unknown:
        raise ValueError(f"unknown lever(s) {unknown}; levers: {list(LEVERS)}; presets: {list(PRESETS)}")
    env: Dict[str, str] = {}
    if "threads1" in levers:
        env.update(THREAD_ENV)
    if "arena2" in levers:
        env["MALLOC_ARENA_MAX"] = "2"
    return Variant(spec, levers, env)


STOCK_VARIANT = Variant("stock")  # the stock stack: no levers
