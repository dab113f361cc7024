"""A visitor saying they are safe: "no no im not suicidal, i'm fine. how much is it?"

After the crisis reply asks "Are you safe right now?", a typed answer should
count like the "Yes, I'm safe" button. But the answer repeats the words of
risk ("suicidal", "hurt myself"), so the patterns, the risk classifier and
the harm gate read it as a new crisis, and a visitor the assistant misread
(a widow's quiet house, a thank-you) could never get back to their
questions (docs/safety.md, nineteenth round).

A statement of safety counts only when it is plain and alone:
- one of the statements in lexicon/safety_statements.yml ("i'm safe", "i'm
  not suicidal", "i won't hurt myself", "no estoy en peligro");
- no hedge anywhere in the message ("for now", "probably", "tonight", "no
  sé"), no "but he..." that moves the danger to someone else, and no
  question whether they are safe;
- with the statements cut out, nothing left that the crisis patterns, the
  risk classifier or the harm gate flag, clause by clause and as a whole:
  "i'm not suicidal i just think about dying all day" keeps the crisis reply.

Fail-safe by construction: any doubt leaves the message to the ordinary
layers, which read it as they did before.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml

from bot.safety.history import clauses
from bot.safety.patterns import compile_regexes, with_parts

STATEMENTS_FILE = Path(__file__).with_name("lexicon") / "safety_statements.yml"
# What may be left of a message once its statements are cut out without
# saying anything: "no no", "lol", "i promise", "i'm fine", "ok?".
_NOTHING_LEFT = re.compile(
    r"(?:\s*\b(?:no|nope|nah|yes|yeah|yep|si|sí|ok|okay|lol|lmao|haha|jaja|omg|whoa|wow|um|uh|oh|"
    r"i\s+promise|promise|honestly|seriously|really|tbh|te\s+lo\s+prometo|en\s+serio|de\s+verdad|"
    r"i'?m\s+(?:fine|ok|okay|good|alright)|im\s+(?:fine|ok|okay|good|alright)|"
    r"estoy\s+bien|tranquil[oa]|gracias|thanks|thank\s+you)\b|[\s.,!?¿¡:;()'\"-])*\s*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'"})


@dataclass(frozen=True)
class SafetyStatements:
    statements: tuple[re.Pattern[str], ...]
    hedges: tuple[re.Pattern[str], ...]

    def find(self, text: str) -> list[tuple[int, int]]:
        """The spans of every statement of safety in a lower-cased message."""
        return sorted(m.span() for p in self.statements for m in p.finditer(text))

    def hedged(self, text: str) -> bool:
        return any(p.search(text) for p in self.hedges)

    def says_safe(self, text: str, is_risky: Callable[[str], bool],
                  has_harm_words: Callable[[str], bool]) -> bool:
        """True when the message plainly says the writer is safe, and nothing else in it shows risk.

        `is_risky(text)` says whether the crisis patterns or the risk
        classifier flag a piece of text; `has_harm_words(text)` whether the
        harm gate finds its words in it.
        """
        lowered = " ".join((text or "").lower().translate(_APOSTROPHES).split())
        spans = self.find(lowered)
        if not spans or self.hedged(lowered):
            return False
        rest = _cut(lowered, spans)
        if _NOTHING_LEFT.fullmatch(rest):
            return True
        pieces = [c for c in clauses(rest) if not _NOTHING_LEFT.fullmatch(c)]
        return not (has_harm_words(rest) or is_risky(rest) or any(is_risky(c) for c in pieces))


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without the spans; a full stop where each was, so the words
    either side never join into one clause."""
    out, position = [], 0
    for start, end in spans:
        if start < position:  # overlapping statements
            start = position
        out.append(text[position:start])
        out.append(" . ")
        position = max(position, end)
    out.append(text[position:])
    return "".join(out)


@functools.lru_cache(maxsize=1)
def default_statements() -> SafetyStatements:
    data = yaml.safe_load(STATEMENTS_FILE.read_text(encoding="utf-8")) or {}
    parts = data.get("parts") or {}

    def expanded(key: str) -> tuple[re.Pattern[str], ...]:
        return compile_regexes(with_parts(str(v), parts) for v in data.get(key) or [])

    return SafetyStatements(expanded("statements"), expanded("hedges"))
