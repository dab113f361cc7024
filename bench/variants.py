"""Run-time configurations of our stack that the benchmark can compare.

Every lever here is an environment variable or an endpoints.yml entry, so
trying one needs no retraining and no change to the project's files: the
benchmark writes its own endpoints.yml for each stack it starts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict

# One TensorFlow/OpenMP thread per process. By default TensorFlow sizes its
# pools to the core count; with 2 cores shared by two processes and the load
# generator, those pools only add contention for tiny per-message graphs.
ONE_THREAD = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
}


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    env: Dict[str, str] = field(default_factory=dict)
    workers: int = 1  # Sanic workers; > 1 needs the Redis lock store
    tracker: str = "sqlite"  # "sqlite" (as shipped) or "redis"

    @property
    def needs_redis(self) -> bool:
        return self.workers > 1 or self.tracker == "redis"


VARIANTS: Dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("shipped", "as `make run` starts it: 1 Sanic worker, SQLite tracker store, default threads"),
        Variant("one-thread", "1 TensorFlow/OpenMP thread per process", env=ONE_THREAD),
        Variant("workers2", "2 Sanic workers + Redis lock store, 1 TF thread each",
                env=ONE_THREAD, workers=2),
        Variant("workers2-redis", "2 Sanic workers, Redis lock and tracker stores, 1 TF thread each",
                env=ONE_THREAD, workers=2, tracker="redis"),
    )
}
DEFAULT_VARIANTS = ("shipped",)
