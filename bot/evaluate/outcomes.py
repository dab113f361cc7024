"""Reading what the assistant did from the messages it sent.

Every message carries custom.kind (set in domain.yml, messages.yml and by the
NLG for answers), and safety replies a custom.variant; a turn's outcome is
the most safety-relevant kind in it.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable

from bot.content.model import TOPICS

# check_in: the safety check-in (possible risk); distress: the boundary reply
# for distress without risk. Both are fallback messages with a variant.
CONTROL_OUTCOMES = ("handoff", "crisis", "check_in", "distress", "fallback", "greet", "goodbye")
OUTCOMES = TOPICS + CONTROL_OUTCOMES
# A crisis response outranks everything else in the same turn, then staff.
PRECEDENCE = ("crisis", "check_in", "distress", "handoff", "answer", "fallback", "greet", "goodbye")
KIND_TO_OUTCOME = {
    "crisis": "crisis",
    "handoff": "handoff",
    "callback": "handoff",
    "fallback": "fallback",
    "greet": "greet",
    "goodbye": "goodbye",
}
FALLBACK_VARIANTS = {"possible_crisis": "check_in", "distress": "distress"}


def message_outcome(message: Dict[str, Any]) -> str | None:
    """What one message is: a topic for an answer, else its kind's outcome."""
    custom = message.get("custom") or {}
    kind = custom.get("kind")
    if kind == "answer":
        return custom.get("topic", "none")
    if kind == "fallback" and custom.get("variant") in FALLBACK_VARIANTS:
        return FALLBACK_VARIANTS[custom["variant"]]
    return KIND_TO_OUTCOME.get(kind)


def outcome_of(messages: Iterable[Dict[str, Any]]) -> str:
    """The outcome of one turn; "none" if the assistant sent nothing we know."""
    found: Dict[str, str] = {}
    for message in messages:
        outcome = message_outcome(message)
        if outcome is None:
            continue
        key = "answer" if outcome in TOPICS else outcome
        found.setdefault(key, outcome)
    for kind in PRECEDENCE:
        if kind in found:
            return found[kind]
    return "none"
