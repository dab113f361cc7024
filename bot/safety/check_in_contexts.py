"""Contexts that make a crisis only the risk classifier saw a check-in instead.

The risk classifier sees words, not purposes. Safe storage told as
prevention shares a crisis's words but not its purpose: "how do I store my
pills so my kids can't get to them?" is the means restriction every safety
plan asks for, and the crisis reply tells a careful parent they are a danger.
Other contexts were tried and dropped (the cue file says which and why): a
context is kept only where it costs no real crisis on the development sets.

Such a message gets the check-in (are you safe? 911, 988) instead of the
crisis reply (bot.safety.decision): the question still gets asked, which is
right if the words meant more than they seemed to. Fail-safe by construction:
a crisis pattern or an emergency keeps the crisis reply; so does an exclusion
cue (hiding or gathering means), and so does any clause without the
context's cues that the patterns or the classifier flag on its own, the
check history.only_history makes (independent review: "I keep the razor
blades locked away so my kids can't find them, but I used one on my arms
last night"). Nothing here ever makes an ordinary answer. The cues are in lexicon/check_in_contexts.yml.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import yaml

from bot.safety.history import clauses
from bot.safety.patterns import compile_regexes

CUES_FILE = Path(__file__).with_name("lexicon") / "check_in_contexts.yml"
SAFE_STORAGE = "safe storage as prevention"
Patterns = tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Context:
    """A context: every `required` list must match, and no `exclude` pattern."""

    name: str
    required: tuple[Patterns, ...]
    exclude: Patterns

    def holds(self, lowered: str) -> bool:
        if any(p.search(lowered) for p in self.exclude):
            return False
        return all(any(p.search(lowered) for p in patterns) for patterns in self.required)

    def cues_in(self, clause: str) -> bool:
        return any(p.search(clause) for patterns in self.required for p in patterns)


@functools.lru_cache(maxsize=1)
def default_contexts() -> tuple[Context, ...]:
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8")) or {}
    storage = data["safe_storage"]
    return (
        Context(SAFE_STORAGE, (compile_regexes(storage["storage"]), compile_regexes(storage["purpose"])),
                compile_regexes(storage["exclude"])),
    )


def check_in_context(text: str, is_risky: Callable[[str], bool] = lambda clause: False,
                     contexts: Optional[tuple[Context, ...]] = None) -> Optional[str]:
    """The name of the first context the message is in, or None.

    `is_risky(clause)` says whether the patterns or the risk classifier flag
    one clause on its own; every clause without the context's cues must pass.
    """
    lowered = " ".join((text or "").lower().split())
    for context in contexts or default_contexts():
        if not context.holds(lowered):
            continue
        rest = [c for c in clauses(lowered) if not context.cues_in(c)]
        if not any(is_risky(c) for c in rest):
            return context.name
    return None
