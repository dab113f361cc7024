"""Health, readiness and Prometheus metrics of the running stack (issue #14, item 3)."""
from __future__ import annotations

import re
import urllib.request

from bot import metrics
from tests.integration.helpers import new_sender, say


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as reply:
        return reply.status, reply.read().decode()


def _sample(text: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    assert match, f"{name}{labels} not in the metrics"
    return float(match.group(1))


def test_the_rasa_server_is_ready_when_its_stores_answer(stack) -> None:
    status, body = _get(f"{stack.base_url}/widget/ready")
    assert status == 200 and '"ready"' in body


def test_turns_are_counted_by_outcome_with_their_latency(stack) -> None:
    before = _get(f"{stack.base_url}/widget/metrics")[1]
    sender = new_sender()
    say(stack, sender, "what are the side effects")
    say(stack, sender, "I want to kill myself")
    after = _get(f"{stack.base_url}/widget/metrics")[1]
    for outcome in ("answer", "crisis"):
        labels = f'{{outcome="{outcome}"}}'
        assert _sample(after, "assistant_turns_total", labels) >= _sample(before, "assistant_turns_total", labels) + 1
    assert _sample(after, "assistant_turn_seconds_count") >= _sample(before, "assistant_turn_seconds_count") + 2
    assert _sample(after, "assistant_turns_in_flight") == 0
    assert sender not in after, "no conversation id in a label"


def test_the_action_server_reports_the_callback_queue_without_its_token(stack) -> None:
    status, body = _get(stack.action_url.replace("/webhook", "/metrics"))
    assert status == 200
    assert _sample(body, "assistant_callback_queue_length") >= 0


def test_a_turn_outcome_is_its_most_important_reply() -> None:
    assert metrics.outcome([{"custom": {"kind": "answer"}}, {"custom": {"kind": "crisis"}}]) == "crisis"
    assert metrics.outcome([{"custom": {"kind": "callback"}}]) == "handoff"
    assert metrics.outcome([{"custom": {"kind": "fallback"}}]) == "fallback"
    assert metrics.outcome([{"text": "hello"}]) == "other"
