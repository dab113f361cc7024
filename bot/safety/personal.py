"""Rules that recognise questions about the visitor's own care.

They run after the ML model and can only move a message towards staff: a
match turns a general answer into a handoff (with the general answer still
shown as general information), never the other way round.
"""
from __future__ import annotations

import functools
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher

from bot.safety.crisis import normalise
from bot.safety.patterns import load_groups

PATTERN_FILE = Path(__file__).with_name("personal_patterns.yml")


class PersonalQuestionDetector:
    def __init__(self, nlp: Language, pattern_file: Path = PATTERN_FILE) -> None:
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        for group in load_groups(nlp, pattern_file):
            self.matcher.add(group.name, group.token_patterns)

    def reasons(self, text: str) -> list[str]:
        """Names of the rule groups that match, e.g. ['own_medicines']."""
        doc = self.nlp(normalise(text or ""))
        names = {self.nlp.vocab.strings[m] for m, _, _ in self.matcher(doc)}
        return sorted(names)


@functools.lru_cache(maxsize=1)
def default_detector() -> PersonalQuestionDetector:
    from bot.safety.nlp import safety_nlp

    return PersonalQuestionDetector(safety_nlp())
