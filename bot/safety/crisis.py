"""Crisis detection that does not depend on the ML model.

Recall matters more than precision here: a missed crisis is the worst failure
this product can have, while a false alarm shows someone the 988 number. The
only things that cancel a match are documented in docs/safety.md: a negation
right before it ("I'm not suicidal"); for symptom and overdose groups, a
general question about risk ("can ketamine cause seizures?"); and for
reported suicidal thoughts, a sentence about studies ("how many people in
the trials had suicidal thoughts").
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.safety.normalise import basic_form, normalise
from bot.safety.patterns import PatternGroup, load_groups

PATTERN_FILE = Path(__file__).with_name("crisis_patterns.yml")
INTRINSIC = "#intrinsic"
NEGATIONS = {"not", "never", "no", "nt", "n't", "nor", "neither"}
# Words that end the reach of a negation: "not suicidal, but I want to die".
CLAUSE_BREAKS = {"but", "though", "although", "however", ".", ",", ";", "!", "?", "and", "yet"}
HYPOTHETICAL_CUES = {
    "if", "can", "could", "would", "will", "might", "may", "does", "do", "whether",
    "risk", "chance", "cause", "possible", "common", "ever", "any",
    "anyone", "someone", "people", "patient", "patients",
}
# Words that make the sentence before a match about studies, not a person:
# "how many people in the trials had suicidal thoughts".
RESEARCH_CUES = {
    "trial", "trials", "study", "studies", "research", "data", "participant",
    "participants", "paper", "papers", "percent", "percentage", "rate", "rates",
}
# A research phrase only excuses a message that is one question and says
# nothing about the writer: "¿cuál es la tasa de suicidio? porque yo voy a ser
# parte de ella pronto" and "...? seré parte de esa estadística" are
# disclosures (independent reviews, sixth round).
FIRST_PERSON_ES = {"yo", "me", "mi", "mis", "estoy", "voy", "quiero", "siento", "pienso", "tengo",
                   "necesito", "ahora", "pronto", "hoy", "noche", "ya", "mañana", "manana"}
# An opening clause before the "¿" still makes one question: "soy enfermera,
# ¿qué protocolo siguen...?".
ONE_QUESTION = re.compile(r"[¿]?[^.!?¿]*(?:,\s*¿[^.!?¿]*)?\?+")
# Screening questions ("have you ever had suicidal thoughts?") are not a
# disclosure; "ever" right before the match works like a negation.
SCREENING_CUES = {"ever"}
PERSONS = {"i", "me", "my", "myself", "he", "him", "his", "she", "her", "they", "them",
           "their", "we", "us", "our", "son", "daughter", "brother", "sister", "friend",
           "husband", "wife", "partner", "mom", "dad"}
# Words that may stand between a negation and what it negates: "not really
# suicidal", "don't want to kill myself". Any other word ends the negation's
# reach: in "if it doesn't work I'm ending it", "work" does.
NEGATION_BRIDGES = {
    "really", "actually", "at", "all", "that", "very", "so", "feel", "be", "go", "to",
    "gon", "na", "want", "wanna", "plan", "try", "think", "about", "of", "ever", "have",
    "i", "just", "do", "even", "currently", "anymore", "right", "now", "thought",
    "intention", "intent", "desire", "urge", "for", '"', "'",
}
NEGATION_WINDOW = 5
HYPOTHETICAL_WINDOW = 6
@dataclass(frozen=True)
class CrisisMatch:
    group: str
    text: str
    kind: str = "crisis"


@dataclass(frozen=True)
class Scan:
    """What the patterns saw: live matches, and matches a negation cancelled."""

    matches: list[CrisisMatch]
    negated: list[CrisisMatch]


class CrisisDetector:
    """Finds crisis language in a message; see crisis_patterns.yml for the rules."""

    def __init__(self, nlp: Language, pattern_file: Path = PATTERN_FILE) -> None:
        self.nlp = nlp
        self.groups = {g.name: g for g in load_groups(nlp, pattern_file)}
        self.matcher = Matcher(nlp.vocab)
        for group in self.groups.values():
            plain = [p for p in group.token_patterns if not _has_negation(p)]
            intrinsic = [p for p in group.token_patterns if _has_negation(p)]
            if plain:
                self.matcher.add(group.name, plain)
            if intrinsic:
                # A pattern that spells out its own negation ("can't breathe")
                # is only cancelled by a negation before it.
                self.matcher.add(group.name + INTRINSIC, intrinsic)

    def find(self, text: str) -> list[CrisisMatch]:
        """Every crisis signal in text that is not negated or hypothetical."""
        return self.scan(text).matches

    def scan(self, text: str, language: str = "en") -> Scan:
        normalised = normalise(text or "", language)
        if not normalised.strip():
            return Scan([], [])
        doc = self.nlp(normalised)
        found, negated = [], []
        for match_id, start, end in self.matcher(doc):
            key = self.nlp.vocab.strings[match_id]
            group = self.groups[key.split(INTRINSIC)[0]]
            if group.negatable and _negated(doc, start, end, inside=not key.endswith(INTRINSIC)):
                negated.append(CrisisMatch(group.name, doc[start:end].text, group.kind))
                continue
            if group.hypothetical and _hypothetical(doc, start):
                continue
            if group.research and _about_research(doc, start):
                continue
            if group.whole_message and not _is_whole_message(doc, start, end):
                continue
            if group.personal and not any(t.lemma_ in PERSONS for t in doc):
                continue
            found.append(CrisisMatch(group.name, doc[start:end].text, group.kind))
        # Phrases are other languages' words: look for them before English
        # spelling correction too ("suicidar" is one edit from "suicidal").
        plain = basic_form(text or "")
        impersonal = _is_one_impersonal_question(plain)
        for group in self.groups.values():
            texts = [normalised, plain]
            if impersonal:
                texts = [_without(t, group.phrase_exceptions) for t in texts]
            for phrase in group.phrases:
                if any(phrase in t for t in texts):
                    found.append(CrisisMatch(group.name, phrase, group.kind))
            for regex in group.regexes:
                match = next((m for m in (regex.search(t) for t in texts) if m), None)
                if match:
                    found.append(CrisisMatch(group.name, match.group(0), group.kind))
        return Scan(found, negated)

    def is_crisis(self, text: str) -> bool:
        return bool(self.find(text))


def _is_one_impersonal_question(text: str) -> bool:
    """One question, with no first-person or present word (FIRST_PERSON_ES)."""
    stripped = text.strip()
    return bool(ONE_QUESTION.fullmatch(stripped)) and not FIRST_PERSON_ES.intersection(
        re.findall(r"\w+", stripped))


def _without(text: str, exceptions: list[str]) -> str:
    """Text with every exception phrase blanked out (see PatternGroup.phrase_exceptions)."""
    for exception in exceptions:
        text = text.replace(exception, " ")
    return text


def _window_before(doc: Doc, start: int, size: int) -> list[str]:
    """Lemmas before start, back to the nearest clause break."""
    words = []
    for token in reversed(doc[max(0, start - size):start]):
        if token.lemma_ in CLAUSE_BREAKS or token.text in CLAUSE_BREAKS:
            break
        words.append(token.lemma_)
    return words


def _has_negation(pattern: list) -> bool:
    return any(NEGATIONS & set((token.get("LEMMA") or token.get("LOWER") or {}).get("IN", []))
               for token in pattern)


def _negated(doc: Doc, start: int, end: int, inside: bool = True) -> bool:
    """A negation inside the match ("I'm not suicidal") or reaching it from before."""
    if inside and any(t.lemma_ in NEGATIONS for t in doc[start:end]):
        return True
    for lemma in _window_before(doc, start, NEGATION_WINDOW):
        if lemma in NEGATIONS or lemma in SCREENING_CUES:
            return True
        if lemma not in NEGATION_BRIDGES:
            return False
    return False


def _hypothetical(doc: Doc, start: int) -> bool:
    return _cue_before(doc, start, HYPOTHETICAL_CUES)


def _cue_before(doc: Doc, start: int, cues: set[str]) -> bool:
    """A cue word in the same clause, shortly before the match.

    The clause limit matters: in "I read the studies. I have suicidal
    thoughts" the study words belong to another sentence. Word forms count
    as well as lemmas: the lookup lemmatizer reads "does" as the plural of
    "doe".
    """
    for token in reversed(doc[max(0, start - HYPOTHETICAL_WINDOW):start]):
        if token.lemma_ in CLAUSE_BREAKS or token.text in CLAUSE_BREAKS:
            return False
        if token.lemma_ in cues or token.lower_ in cues:
            return True
    return False


def _is_whole_message(doc: Doc, start: int, end: int) -> bool:
    """Nothing but punctuation outside the match: the message is just "suicidal?"."""
    return all(t.is_punct or t.is_space for t in (*doc[:start], *doc[end:]))


def _about_research(doc: Doc, start: int) -> bool:
    return _cue_before(doc, start, RESEARCH_CUES)


@functools.lru_cache(maxsize=1)
def default_detector() -> CrisisDetector:
    from bot.safety.nlp import safety_nlp

    return CrisisDetector(safety_nlp())
