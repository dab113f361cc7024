"""Measurements with one visitor at a time: turn latency, the /model/parse
floor, and how long an edited answer takes to reach visitors."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import List

from bench.client import Client
from bench.scenario import conversation, sender_id
from bench.stacks import Started
from bench.targets import reply_problem
from bot.content.files import yaml_loader

SEQUENTIAL_SEED = 900_000  # conversations for the single visitor, apart from the load test's
PROBE_QUESTION = "where is your clinic located"
PROBE_ANSWER_ID = "clinic_location"


@dataclass
class Sequential:
    latencies_s: List[float] = field(default_factory=list)
    messages: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)


def single_visitor(started: Started, turns: int, first_seed: int = SEQUENTIAL_SEED) -> Sequential:
    """`turns` turns, one after the other, in whole conversations."""
    target, client, result = started.target, Client(started.target.base_url), Sequential()
    seed = first_seed
    try:
        while len(result.latencies_s) < turns:
            sender = sender_id(target.label, seed)
            for turn in conversation(seed)[: turns - len(result.latencies_s)]:
                status, body, seconds = client.post(target.webhook_path, {"sender": sender, "message": turn.message})
                problem = reply_problem(target.kind, status, body)
                if problem:
                    result.errors.append(problem)
                result.latencies_s.append(seconds)
                result.messages.append(turn.message)
            seed += 1
    finally:
        client.close()
    return result


def parse_floor(started: Started, messages: List[str]) -> Sequential:
    """Bare NLU: the same messages through POST /model/parse, nothing else."""
    client, result = Client(started.target.base_url), Sequential()
    path = f"/model/parse?token={started.token}"
    try:
        for message in messages:
            status, body, seconds = client.post(path, {"text": message})
            if status != 200 or not isinstance(body, dict) or "intent" not in body:
                result.errors.append(f"parse HTTP {status}")
            result.latencies_s.append(seconds)
            result.messages.append(message)
    finally:
        client.close()
    return result


def _answer_text(client: Client, started: Started) -> str:
    sender = f"bench-content-{uuid.uuid4().hex[:12]}"
    status, body, _ = client.post(started.target.webhook_path, {"sender": sender, "message": PROBE_QUESTION})
    if status != 200 or not isinstance(body, list):
        raise RuntimeError(f"content probe failed: HTTP {status}")
    for message in body:
        custom = message.get("custom") or {}
        if custom.get("kind") == "answer" and custom.get("answer_id") == PROBE_ANSWER_ID:
            return custom.get("text", "")
    raise RuntimeError(f"content probe: '{PROBE_QUESTION}' was not answered with {PROBE_ANSWER_ID}")


def content_change(started: Started, timeout: float = 30.0) -> float:
    """Seconds from saving an edited answer (in the stack's own copy of
    data/content) to the running server serving the new text; no retraining,
    no restart."""
    assert started.content_dir is not None
    client = Client(started.target.base_url)
    try:
        _answer_text(client, started)  # the answer is served before the edit
        marker = f"Edited for the benchmark {uuid.uuid4().hex[:6]}."
        path = started.content_dir / "clinic.yml"
        loader = yaml_loader()
        document = loader.load(path.read_text(encoding="utf-8"))
        entry = next(a for a in document["answers"] if a["id"] == PROBE_ANSWER_ID)
        entry["text"] = f"{marker} Our address is {{clinic_address}}."
        with path.open("w", encoding="utf-8") as handle:
            loader.dump(document, handle)
        saved = time.monotonic()
        while time.monotonic() - saved < timeout:
            if _answer_text(client, started).startswith(marker):
                return time.monotonic() - saved
            time.sleep(0.05)
        raise RuntimeError(f"the edited answer was not served within {timeout:.0f}s")
    finally:
        client.close()
