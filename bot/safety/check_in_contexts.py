"""Contexts that make a crisis only the risk classifier saw a check-in instead.

The risk classifier sees words, not purposes. These kinds of message share a
crisis's words but not its purpose, and the classifier reads them as crisis:

- safe storage told as prevention: "how do I store my pills so my kids can't
  get to them?" is the means restriction every safety plan asks for, and the
  crisis reply tells a careful parent they are a danger;
- finding the clinic past bridges, garages' top floors and train stations:
  "is there parking on the top floor of the garage next door?".

Such a message gets the check-in (are you safe? 911, 988) instead of the
crisis reply (bot.safety.decision): the question still gets asked, which is
right if the words meant more than they seemed to. Fail-safe by construction:
a crisis pattern or an emergency keeps the crisis reply; so does an exclusion
cue (hiding or gathering means; height, falling or an ending beside a
landmark), and so does any clause without the context's cues that the
patterns or the classifier flag on its own, the check history.only_history
makes (independent review: "I keep the razor blades locked away so my kids
can't find them, but I used one on my arms last night"). Nothing here ever
makes an ordinary answer. The cues are in lexicon/check_in_contexts.yml.
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
DIRECTIONS = "finding the clinic"
Patterns = tuple[re.Pattern[str], ...]
FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|me|my|myself|mine|yo|mí|mi|mis|estoy|soy)\b")


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
    storage, directions = data["safe_storage"], data["directions"]
    return (
        Context(SAFE_STORAGE, (compile_regexes(storage["storage"]), compile_regexes(storage["purpose"])),
                compile_regexes(storage["exclude"])),
        Context(DIRECTIONS, (compile_regexes(directions["wayfinding"]), compile_regexes(directions["landmark"])),
                compile_regexes(directions["exclude"])),
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


def tells_about_self(text: str) -> bool:
    """A sentence that is not a question says something about the writer.

    "is ketamine safe during pregnancy? i don't want this baby or this life":
    the question may be answerable, the statement beside it is not a
    question (independent review).
    """
    sentences = re.split(r"(?<=[.!?\n])\s*", (text or "").lower())
    return any(FIRST_PERSON.search(s) for s in sentences if s.strip() and not s.strip().endswith("?"))
