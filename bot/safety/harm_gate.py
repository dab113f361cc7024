"""The fail-safe harm gate: words about harm need a clearly general question.

The patterns and the risk classifier can both miss a message nobody
foresaw. This gate does not try to understand it: if a message mentions
death, suicide, overdose, lethal amounts, weapons, cutting, bleeding, not
waking up or similar (lexicon/harm_terms.yml), it may only get a curated
answer when it is clearly a general information question
(bot.safety.decision.is_clear_question); otherwise the visitor gets a safety
check-in with 988 and 911. And an answer with dose figures is never given to
a question that touches on harm, whoever asks.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

HARM_FILE = Path(__file__).with_name("lexicon") / "harm_terms.yml"
_QUESTION_START = re.compile(
    r"^\s*(?:what|whats|what's|how|hows|how's|why|when|where|which|who|whom|whose|is|are|was|were|"
    r"do|does|did|can|could|will|would|should|shall|may|might|has|have|had|any|am\s+i|"
    r"qué|que|cómo|como|cuánto|cuanto|cuándo|cuando|dónde|donde|por qué|es|puedo|puede)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[,;:.!]\s*|\b(?:just|and|but|so)\s+(?:curious|wondering|asking)\s+")
_ASKING = re.compile(r"\b(?:wondering|curious|want to know|wanted to know|tell me|explain|"
                     r"can you|could you)\b", re.IGNORECASE)
# First person, or a specific person: the message is about someone, not a
# general question ("does ketamine raise suicide risk" is general; "my son
# talks about suicide" is not).
_PERSON = re.compile(
    r"\b(?:i|i'm|i've|i'd|i'll|me|my|myself|mine|we|us|our|he|him|his|she|her|they|them|their|"
    r"son|daughter|brother|sister|mom|mum|mother|dad|father|husband|wife|partner|boyfriend|"
    r"girlfriend|friend|roommate|kid|child|grandma|grandpa|aunt|uncle|cousin|fiance|fiancee|"
    # Spanish: "¿la llevo yo al hospital?" after her chest pain is about her;
    # not "la", "lo" or "su", which are also articles and "its".
    r"yo|mi|mis|conmigo|él|ella|ellos|ellas|llevarlo|llevarla|hijo|hija|hermano|hermana|mamá|mama|madre|"
    r"papá|papa|padre|esposo|esposa|marido|pareja|novio|novia|amigo|amiga|abuelo|abuela|tío|tio|tía|tia|"
    r"primo|prima|compañero|compañera)\b",
    re.IGNORECASE,
)
_DOSE_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:mg|milligrams?|mcg|ml|g\b|grams?)(?:\s*(?:/|per)\s*(?:kg|kilogram))?",
                          re.IGNORECASE)


class HarmGate:
    def __init__(self, terms: list[str], idioms: list[str]) -> None:
        self.terms = [re.compile(rf"\b(?:{t})\b") for t in terms]
        self.idioms = [re.compile(rf"\b(?:{i})\b") for i in idioms]

    def harm_terms(self, normalised: str) -> tuple[str, ...]:
        """The harm words in a normalised message, outside harmless idioms."""
        text = normalised
        for idiom in self.idioms:
            text = idiom.sub(" ", text)
        found = []
        for term in self.terms:
            match = term.search(text)
            if match:
                found.append(match.group(0))
        return tuple(found)


def is_question(text: str) -> bool:
    """Asked as a question: a question mark, a question word first, or a
    clause that asks ("just curious how it works", "wondering if ...")."""
    text = text or ""
    if "?" in text or "¿" in text or _QUESTION_START.match(text):
        return True
    return any(_QUESTION_START.match(clause) for clause in _CLAUSE.split(text)[1:]) \
        or bool(_ASKING.search(text))


def about_a_person(normalised: str) -> bool:
    return bool(_PERSON.search(normalised))


def has_dose_figures(answer_text: str) -> bool:
    """True if an answer states amounts ("0.5 mg per kg", "56 mg")."""
    return bool(_DOSE_FIGURE.search(answer_text or ""))


@functools.lru_cache(maxsize=1)
def default_gate() -> HarmGate:
    data = yaml.safe_load(HARM_FILE.read_text(encoding="utf-8")) or {}
    return HarmGate(list(data.get("terms") or []), list(data.get("idioms") or []))
