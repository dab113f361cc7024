"""Rewrite a message into plain words before any safety check reads it.

People in crisis type fast, on phones, in slang: "wanna dye", "kms", "sucide",
"unalive". The checks after this (lemma patterns, the risk classifier, the
harm gate) are easier to keep right when they see "want to die", "kill
myself", "suicide". Two steps, both narrow on purpose:

1. Idioms, then slang and abbreviations (lexicon/idioms.yml, slang.yml):
   whole-word rewrites. Idioms with a harm word become what they mean
   ("killing time" is "pass time"); slang becomes plain risk words, with the
   context rules that keep "5 km" and "dye my hair" as they are.
2. Spelling correction restricted to a risk lexicon (lexicon/risk_words.txt),
   done by rapidfuzz: a word is corrected only if it is within one or two
   edits of a risk word *and* far rarer in English than that word ("sucide"
   is 700 times rarer than "suicide"; "dye" is a real word and stays). The
   word frequencies are spaCy's English lexeme probabilities
   (spacy-lookups-data), cut at build time to the words near a risk word.
"""
from __future__ import annotations

import functools
import gzip
import json
import regex as re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

LEXICON_DIR = Path(__file__).with_name("lexicon")
SLANG_FILE = LEXICON_DIR / "slang.yml"
IDIOMS_FILE = LEXICON_DIR / "idioms.yml"
RISK_WORDS_FILE = LEXICON_DIR / "risk_words.txt"
# A misspelling must be this much rarer (natural log of the probability)
# than the risk word it is corrected to: e^5, about 150 times.
RARITY_MARGIN = 5.0
UNKNOWN_LOG_PROBABILITY = -25.0
MIN_WORD_LENGTH = 3
_APOSTROPHES = re.compile(r"[\u2018\u2019\u02bc`´]")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_WORD = re.compile(r"[a-z]+")


def read_words(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Rewrite:
    pattern: re.Pattern
    plain: str


def load_rewrites(path: Path = SLANG_FILE) -> tuple[Rewrite, ...]:
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rewrites") or []
    return tuple(Rewrite(re.compile(rf"\b(?:{e['pattern']})\b"), e["plain"]) for e in entries)


def max_edits(word: str) -> int:
    """Short words tolerate one edit; "die" with two would match "dog"."""
    return 1 if len(word) <= 5 else 2


class RiskSpelling:
    """Corrects misspellings of risk words, and nothing else."""

    def __init__(self, risk_words: list[str], log_probability: dict[str, float]) -> None:
        self.risk_words = risk_words
        self._known = set(risk_words)
        self.log_probability = log_probability

    def correct(self, word: str) -> str:
        if len(word) < MIN_WORD_LENGTH or word in self._known:
            return word
        found = process.extractOne(word, self.risk_words, scorer=OSA.distance, score_cutoff=2)
        if found is None:
            return word
        target, edits, _ = found
        if edits > max_edits(target):
            return word
        rarity = self.log_probability.get(target, 0.0) - self.log_probability.get(
            word, UNKNOWN_LOG_PROBABILITY)
        return target if rarity >= RARITY_MARGIN else word

    def correct_text(self, text: str) -> str:
        return _WORD.sub(lambda m: self.correct(m.group(0)), text)


def near_risk_words(risk_words: list[str], log_probability: dict[str, float]) -> dict[str, float]:
    """The part of the frequency table that correction can ever consult."""
    vocabulary = list(log_probability)
    kept = {w: log_probability[w] for w in risk_words if w in log_probability}
    for risk_word in risk_words:
        for word, _, _ in process.extract(risk_word, vocabulary, scorer=OSA.distance,
                                          score_cutoff=max_edits(risk_word), limit=None):
            kept[word] = log_probability[word]
    return kept


def english_log_probabilities() -> dict[str, float]:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def build_spelling_table(path: Path) -> None:
    """Written by `make` (bot.safety.build) so no process loads the 1M-word table."""
    words = read_words(RISK_WORDS_FILE)
    table = near_risk_words(words, english_log_probabilities())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, sort_keys=True), encoding="utf-8")


@functools.lru_cache(maxsize=1)
def default_spelling() -> RiskSpelling:
    from bot.safety.build import spelling_table_path

    table = json.loads(spelling_table_path().read_text(encoding="utf-8"))
    return RiskSpelling(read_words(RISK_WORDS_FILE), table)


@functools.lru_cache(maxsize=1)
def default_rewrites() -> tuple[Rewrite, ...]:
    """Idioms first: "killing it" must be read before any slang rule sees "kill"."""
    return load_rewrites(IDIOMS_FILE) + load_rewrites(SLANG_FILE)


def basic_form(text: str) -> str:
    """Unicode-normal, lower case, one kind of apostrophe, no stretched letters."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _APOSTROPHES.sub("'", text)
    return _ELONGATED.sub(r"\1\1", text)


def rewrite_slang(text: str, rewrites: tuple[Rewrite, ...]) -> str:
    for rewrite in rewrites:
        text = rewrite.pattern.sub(rewrite.plain, text)
    return text


@functools.lru_cache(maxsize=1024)
def normalise(text: str, language: str = "en") -> str:
    """The message as the safety checks read it.

    Cached: the patterns, the rule sets and the risk classifier all read the
    same message. Spelling correction is English-only: against an English word list,
    Spanish words look like misspellings ("dije" is one edit from "die").
    """
    text = rewrite_slang(basic_form(text), default_rewrites())
    if language == "en":
        text = default_spelling().correct_text(text)
    return text
