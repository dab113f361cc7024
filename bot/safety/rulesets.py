"""Named rule sets that move a message towards a person or a refusal.

Each set is a pattern file in the same language as crisis_patterns.yml; a
match names the group that matched, which is logged with the decision.
"""
from __future__ import annotations

import functools
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher

from bot.safety.normalise import normalise
from bot.safety.patterns import load_groups

HERE = Path(__file__).parent
PERSONAL_FILE = HERE / "personal_patterns.yml"
ILLEGAL_FILE = HERE / "illegal_patterns.yml"


class RuleSet:
    def __init__(self, nlp: Language, pattern_file: Path) -> None:
        self.nlp = nlp
        self.matcher = Matcher(nlp.vocab)
        for group in load_groups(nlp, pattern_file):
            self.matcher.add(group.name, group.token_patterns)

    def reasons(self, text: str) -> list[str]:
        """Names of the groups that match, e.g. ['own_medicines']."""
        doc = self.nlp(normalise(text or ""))
        return sorted({self.nlp.vocab.strings[m] for m, _, _ in self.matcher(doc)})


@functools.lru_cache(maxsize=1)
def personal_rules() -> RuleSet:
    """Questions about the visitor's own care: only a clinician may answer."""
    from bot.safety.nlp import safety_nlp

    return RuleSet(safety_nlp(), PERSONAL_FILE)


@functools.lru_cache(maxsize=1)
def illegal_rules() -> RuleSet:
    """Requests for ketamine outside medical care: always declined."""
    from bot.safety.nlp import safety_nlp

    return RuleSet(safety_nlp(), ILLEGAL_FILE)
