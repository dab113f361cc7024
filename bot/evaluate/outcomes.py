"""Reading what the assistant did from the messages it sent.

Every message carries custom.kind (set in domain.yml, messages.yml and by the
NLG for answers); a turn's outcome is the most safety-relevant kind in it.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable

from bot.content.model import TOPICS

CONTROL_OUTCOMES = ("handoff", "crisis", "fallback", "greet", "goodbye")
OUTCOMES = TOPICS + CONTROL_OUTCOMES
# A crisis response outranks everything else in the same turn, then staff.
PRECEDENCE = ("crisis", "handoff", "answer", "fallback", "greet", "goodbye")
KIND_TO_OUTCOME = {
    "crisis": "crisis",
    "handoff": "handoff",
    "callback": "handoff",
    "fallback": "fallback",
    "greet": "greet",
    "goodbye": "goodbye",
}


def outcome_of(messages: Iterable[Dict[str, Any]]) -> str:
    """The outcome of one turn; "none" if the assistant sent nothing we know."""
    found: Dict[str, str] = {}
    for message in messages:
        custom = message.get("custom") or {}
        kind = custom.get("kind")
        if kind == "answer":
            found.setdefault("answer", custom.get("topic", "none"))
        elif kind in KIND_TO_OUTCOME:
            found.setdefault(KIND_TO_OUTCOME[kind], KIND_TO_OUTCOME[kind])
    for kind in PRECEDENCE:
        if kind in found:
            return found[kind]
    return "none"
