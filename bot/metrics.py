"""Prometheus metrics (prometheus_client) for the widget channel and the action server.

Each process keeps its own counters and serves them on loopback; Prometheus
scrapes every replica and the action server (nginx does not forward
/widget/metrics). What is counted, and why:

- turns, by outcome (answer, handoff, crisis, fallback, other, error): the
  mix tells staff whether the assistant is doing its job, and a rise in
  errors is the first sign a store is down;
- turn latency: what a visitor waits (the bench measures it under load; this
  shows it in production);
- turns in flight: the queue inside a replica;
- errors, by where they happened;
- the callback queue length (open callback requests and crisis flags), read
  from the database when scraped: what staff have still to do.

Labels never carry a conversation id, a message or a client address.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

OUTCOMES = ("answer", "handoff", "crisis", "fallback", "other", "error")
# The reply kinds (custom.kind in domain.yml, messages.yml and answers) that
# decide a turn's outcome, most important first.
_OUTCOME_OF_KIND = (("crisis", "crisis"), ("handoff", "handoff"), ("callback", "handoff"),
                    ("fallback", "fallback"), ("answer", "answer"))

TURNS = Counter("assistant_turns", "Visitor turns answered, by outcome", ["outcome"])
TURN_SECONDS = Histogram("assistant_turn_seconds", "Time to answer a visitor turn",
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32))
IN_FLIGHT = Gauge("assistant_turns_in_flight", "Visitor turns being processed by this process")
ERRORS = Counter("assistant_errors", "Errors, by where they happened", ["where"])
QUEUE = Gauge("assistant_callback_queue_length", "Open callback requests and crisis flags")

for _outcome in OUTCOMES:
    TURNS.labels(_outcome)


def outcome(replies: Iterable[Mapping[str, Any]]) -> str:
    """The outcome of a turn, from what the visitor was sent."""
    kinds = {((reply.get("custom") or {}).get("kind") or "") for reply in replies}
    return next((name for kind, name in _OUTCOME_OF_KIND if kind in kinds), "other")


def exposition() -> tuple[bytes, str]:
    """The text Prometheus scrapes, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST


def update_queue_length(database_url: str) -> None:
    from bot.handoff import store

    try:
        QUEUE.set(len(store.queue(database_url)))
    except Exception:  # noqa: BLE001  a scrape must not fail because the database is down
        ERRORS.labels("queue_length").inc()
