"""Contexts that make a crisis only the risk classifier saw a check-in instead.

The risk classifier sees words, not purposes. Two kinds of message share a
crisis's words but not its purpose, and the classifier reads both as crisis:

- safe storage told as prevention: "how do I store my pills so my kids can't
  get to them?" is the means restriction every safety plan asks for, and the
  crisis reply tells a careful parent they are a danger;
- the commonest threat-shaped figure of speech about a named non-partner:
  "my boss is going to kill me if I take another Friday off".

Such a message gets the check-in (are you safe? 911, 988) instead of the
crisis reply (bot.safety.decision): the question still gets asked, which is
right if the words meant more than they seemed to. Fail-safe by construction:
a crisis pattern or an emergency keeps the crisis reply, an exclusion cue
(hiding or gathering means, a partner, a sign the threat is real) keeps it,
and nothing here ever makes an ordinary answer. The cues are in
lexicon/check_in_contexts.yml.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from bot.safety.patterns import compile_regexes

CUES_FILE = Path(__file__).with_name("lexicon") / "check_in_contexts.yml"
SAFE_STORAGE = "safe storage as prevention"
FIGURE_OF_SPEECH = "a threat's words as a figure of speech"
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


@functools.lru_cache(maxsize=1)
def default_contexts() -> tuple[Context, ...]:
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8")) or {}
    storage, figure = data["safe_storage"], data["threat_figure_of_speech"]
    return (
        Context(SAFE_STORAGE, (compile_regexes(storage["storage"]), compile_regexes(storage["purpose"])),
                compile_regexes(storage["exclude"])),
        Context(FIGURE_OF_SPEECH, (compile_regexes(figure["figure"]),), compile_regexes(figure["exclude"])),
    )


def check_in_context(text: str, contexts: Optional[tuple[Context, ...]] = None) -> Optional[str]:
    """The name of the first context the message is in, or None."""
    lowered = " ".join((text or "").lower().split())
    return next((c.name for c in contexts or default_contexts() if c.holds(lowered)), None)
