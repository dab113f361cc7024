"""A visitor saying they are safe: "no no im not suicidal lol", "estoy a salvo".

After the crisis reply asks "Are you safe right now?", a typed answer should
count like the "Yes, I'm safe" button. But the answer repeats the words of
risk ("suicidal", "hurt myself"), so the patterns, the risk classifier and
the harm gate read it as a new crisis, and a visitor the assistant misread
(a widow's quiet house, a thank-you) could never get back to their
questions (docs/safety.md, nineteenth round).

Two kinds of message count, and nothing else:
- `PLAIN`: one of the statements of lexicon/safety_statements.yml ("i'm
  safe", "i'm not suicidal", "no estoy en peligro") and nothing else but
  "no no", "lol", "thanks", "i promise", "just asking". Its only risk words
  are the ones it denies, so the decision skips the risk layers for it;
- `WITH_MORE`: a statement and more ("im safe, how much does it cost?",
  "yes safe. just wanted to know if insurance covers it"), where the more,
  on its own and clause by clause, is flagged by neither the crisis
  patterns, nor the risk classifier, nor the harm gate. The risk layers
  still read the whole message as usual, and it counts only when they find
  nothing at all (bot.safety.decision): cut from its context, "nobody cares
  anyway" looked harmless to the classifier (independent review).

Either way, never with a hedge anywhere in the message ("for now", "until",
"probably", "no sé", "he", "my sister", "lied", drink, someone hurting
them), a "no" or a question mark after the statement ("safe? no"), or a
negation before it ("i can't say i'm safe"). An independent review found
each of these; any doubt leaves the message to the ordinary layers.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from bot.safety.history import clauses
from bot.safety.patterns import cue_lists

STATEMENTS_FILE = Path(__file__).with_name("lexicon") / "safety_statements.yml"
PLAIN, WITH_MORE = "plain", "with_more"
# What may stand beside a statement without saying anything. Checked word by
# word (no nested repetition: a regular expression with one let "no no no
# ..." take seconds per word, independent review).
_FILLER_PHRASES = re.compile(
    r"\b(?:i'?m|im)\s+(?:fine|ok|okay|good|alright)\b|\bthank\s+you\b|\bi\s+promise\b|"
    r"\bte\s+lo\s+prometo\b|\ben\s+serio\b|\bde\s+verdad\b|\bestoy\s+bien\b|\bto\s+be\s+clear\b|"
    r"\b(?:i\s+was\s+)?(?:just|only)\s+(?:asking|saying|curious|wondering|checking)\b|"
    r"\bsolo\s+(?:preguntaba|pregunto|era\s+una\s+pregunta|dec[ií]a)\b")
_FILLER_WORDS = frozenset({
    "no", "nope", "nah", "yes", "yeah", "yep", "si", "sí", "ok", "okay", "lol", "lmao", "haha", "hahaha",
    "jaja", "jajaja", "omg", "whoa", "wow", "um", "uh", "oh", "promise", "honestly", "seriously",
    "really", "tbh", "tranquilo", "tranquila", "gracias", "thanks"})
_WORD = re.compile(r"[^\W\d_]+|\d+")
# Words that, after the statement, take it back or ask it: "safe? no", "im safe. NOT".
_AFTER_STATEMENT = re.compile(r"^\s*[?¿]|\b(?:no|nope|nah|not)\b")
# A negation or doubt just before the statement: "i can't say i'm safe", "no
# creo que esté a salvo", "i don't think i'm safe".
_BEFORE_STATEMENT = re.compile(
    r"(?:\b(?:can'?t|cannot|can\s+not|couldn'?t|wouldn'?t|won'?t|don'?t|didn'?t|doesn'?t|never|not|"
    r"supposed\s+to|have\s+to|want\s+to|wanna|gotta|who|if|ni)|¿|\bno\s+(?:puedo|creo|dir[ií]a|s[eé]|es\s+que))"
    r"(?:\s+\S+){0,3}\s*$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'"})


def _nothing_left(text: str) -> bool:
    """Only filler words: "no no", "lol", "thanks", "i promise"."""
    return all(word in _FILLER_WORDS for word in _WORD.findall(_FILLER_PHRASES.sub(" ", text)))


@dataclass(frozen=True)
class SafetyStatements:
    statements: tuple[re.Pattern[str], ...]
    hedges: tuple[re.Pattern[str], ...]

    def find(self, text: str) -> list[tuple[int, int]]:
        """The spans of every statement of safety in a lower-cased message."""
        return sorted(m.span() for p in self.statements for m in p.finditer(text))

    def hedged(self, text: str, spans: list[tuple[int, int]]) -> bool:
        """A hedge anywhere, a negation before a statement, a "no" or "?" after the last."""
        if any(p.search(text) for p in self.hedges):
            return True
        if any(_BEFORE_STATEMENT.search(text[:start]) for start, _ in spans):
            return True
        return bool(_AFTER_STATEMENT.search(text[max(end for _, end in spans):]))

    def kind(self, text: str, is_risky: Callable[[str], bool],
             has_harm_words: Callable[[str], bool]) -> Optional[str]:
        """PLAIN, WITH_MORE, or None when the message is not a plain statement of safety.

        `is_risky(text)` says whether the crisis patterns or the risk
        classifier flag a piece of text; `has_harm_words(text)` whether the
        harm gate finds its words in it.
        """
        lowered = " ".join((text or "").lower().translate(_APOSTROPHES).split())
        spans = self.find(lowered)
        if not spans or self.hedged(lowered, spans):
            return None
        rest = _cut(lowered, spans)
        if _nothing_left(rest):
            return PLAIN
        pieces = [c for c in clauses(rest) if not _nothing_left(c)]
        if has_harm_words(rest) or is_risky(rest) or any(is_risky(c) for c in pieces):
            return None
        return WITH_MORE


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """The text without the spans; a full stop where each was, so the words
    either side never join into one clause."""
    out, position = [], 0
    for start, end in spans:
        start = max(start, position)  # overlapping statements
        out.append(text[position:start])
        out.append(" . ")
        position = max(position, end)
    out.append(text[position:])
    return "".join(out)


@functools.lru_cache(maxsize=1)
def default_statements() -> SafetyStatements:
    return SafetyStatements(*cue_lists(STATEMENTS_FILE, "statements", "hedges"))
