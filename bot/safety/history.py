"""Risk told as history: "I attempted suicide ten years ago, does that rule me out?"

Clinical-NLP context rules (ConText) mark a finding as HISTORICAL when a cue
such as "ten years ago" or "in college" scopes over it. We do the same for
risk: a message whose only risk is in clauses set in the distant past, that
says nothing is happening now, and that asks something, is a question about
the visitor's own history. It goes to staff with 988 for if those thoughts
come back (bot.safety.decision), not the crisis reply, which to someone who
has been well for years reads as not being listened to.

Fail-safe by construction: any present cue ("again", "lately", "tonight"),
any clause outside the past that the crisis patterns or the risk classifier
flag, or a kind of risk that is never only history (method questions, harm to
others, someone in danger, emergencies) keeps the crisis reply.
"""
from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from bot.safety.patterns import cue_lists

CUES_FILE = Path(__file__).with_name("lexicon") / "history_cues.yml"
# Pattern groups (crisis_patterns.yml) that can be told as history. Method
# questions, harm to others, a person in danger and emergencies cannot.
HISTORICAL_GROUPS = frozenset({
    "suicidal_thoughts", "self_harm", "self_harm_urges", "talk_of_suicide", "overdose",
    "hopelessness", "bare_words", "other_languages",
})
# A negation just before reassurance ("not doing well now", "no estoy bien
# ahora", "havent been clean since", "hardly been okay since": review,
# thirteenth round).
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:not|no|never|nunca|ni|nor|nothing|hardly|barely|nada|nadie|far\s+from|anything\s+but|pretended\s+to\s+be)|n['’]?t)(?:'s)?\s+(?:\w+\s+){0,2}$")
_CLAUSE_SPLIT = re.compile(r"[.!?¿¡;,\n]+|\b(?:and|but|though|although|yet|so|pero|y|aunque)\b")
# Words that say nothing on their own, kept with the statement after them
# ("and", "so", "pero", "y" never are: _CLAUSE_SPLIT cuts at them).
_FILLER = frozenset({"ya", "pues", "bueno", "yeah", "yes", "ok", "okay", "well", "tbh", "honestly",
                     "also", "now", "ahora", "ahorita"})
# What reassurance can leave of its clause: "been" of "been sober 5 years",
# which the risk classifier, given one word, read as a crisis (0.32,
# sixteenth round). A remnant of only these words is not judged.
_EMPTY_REMNANT = re.compile(
    r"(?:\s*\b(?:i|i'?ve|ive|i'?m|im|he|she|they|he'?s|she'?s|have|has|had|been|am|is|are|was|were|"
    r"and|y|yo|ya|pues|now|estoy|está|esta|ha|estado)\b)*\s*")
# A clause that starts with the writer in the present ("i sleep with the gun
# my dad shot himself with in 2001", "tengo la pistola con la que intenté
# matarme hace años") or says what the writer does now ("pienso en matarme",
# "hace 10 años lucho contra las ganas de matarme") is not the past,
# whatever past cue it holds; a history told as such ("I have a history
# of...", "I've had...", "tengo antecedentes") is (the reviews of the
# sixteenth round).
_FIRST_PERSON_NOW = re.compile(
    r"^(?:i'?m|im|i am|(?:i have|i've|ive)(?! had\b| been\b)|i want|i wanna|i will|i'll|ill|i plan|i keep|i sleep|i put|"
    r"i practice|(?:no\s+)?(?:tengo|quiero|voy a))\b|\b(?:pienso|me corto|guardo|traigo|ando|siento que|estoy|"
    r"me voy a|lucho|vivo|me hago|me lastimo|me siento|deseo|me despido|me vuelven|no le (?:encuentro|veo)|"
    r"nada tiene sentido|(?:la|lo) tengo|escond[ií]|guardad[oa])\b")
_HISTORY_TOLD = re.compile(r"\b(?:history|hx) of\b|\bantecedentes\b|\bhistorial\b")


def _said_now(clause: str) -> bool:
    return bool(_FIRST_PERSON_NOW.search(clause)) and not _HISTORY_TOLD.search(clause)


# A new first-person statement starts a new clause even without punctuation:
# "i overdosed in 2019 i have 60 pills saved up" must not hide its second
# half inside the past clause (the eighth round's review). A Spanish verb
# takes the "no" before it along: "ya no tengo esos pensamientos" cut into
# "ya no" and "tengo esos pensamientos" said the opposite, and glued to the
# clause before, "intenté hace 10 años no quiero seguir viviendo" hid its
# present (eighteenth round and its review).
_NEW_SUBJECT = re.compile(r"\s(?=(?:i'?m|im|i am|i have|i've|ive|i want|i will|i'll|ill|i plan|i keep)\b)"
                          r"|(?<!\bno)\s(?=(?:no\s+)?(?:tengo|quiero|voy a|estoy)\b)")


# A year or an age is the distant past only far enough back, which the cue
# file cannot say: "I attempted suicide in 2026" and "when I was 35. I'm 36
# now" are recent (third review, fourteenth round).
_YEAR = re.compile(r"\b(?:in|back in|around)\s+((?:19|20)\d\d)\b")
_AGE_THEN = re.compile(r"\bwhen (?:i|he|she|they) (?:was|were) (\d{1,2})\b")
_AGE_NOW = re.compile(r"\b(?:i'?m|im|i am|he'?s|she'?s|he is|she is|they'?re)\s+(\d{1,2})\b")
PAST_YEARS = 2      # a year at least this long before this one
PAST_AGE_GAP = 5    # an age at least this far below the age given now
PAST_AGE_UNTOLD = 17  # with no age given now, a child's or a teenager's age


def _long_ago(clause: str, text: str, this_year: int) -> bool:
    """A year or an age in the clause that is far enough back."""
    if any(int(year) <= this_year - PAST_YEARS for year in _YEAR.findall(clause)):
        return True
    ages_now = [int(age) for age in _AGE_NOW.findall(text)]
    for then in (int(age) for age in _AGE_THEN.findall(clause)):
        if all(now - then >= PAST_AGE_GAP for now in ages_now) and \
                (ages_now or then <= PAST_AGE_UNTOLD):
            return True
    return False


@dataclass(frozen=True)
class HistoryCues:
    past: tuple[re.Pattern[str], ...]
    present: tuple[re.Pattern[str], ...]
    reassurance: tuple[re.Pattern[str], ...]

    def in_past(self, clause: str, text: str = "", this_year: int | None = None) -> bool:
        """A past cue in the clause; `text` is the whole message, for an age given now."""
        year = this_year or datetime.date.today().year
        return any(p.search(clause) for p in self.past) or _long_ago(clause, text or clause, year)

    def without_reassurance(self, text: str) -> str:
        """The text with reassurance taken out, unless it is negated
        ("I'm not doing well now" keeps its "now")."""
        def unless_negated(match: re.Match[str]) -> str:
            return match.group(0) if _NEGATED_BEFORE.search(match.string, 0, match.start()) else " "

        for pattern in self.reassurance:
            text = pattern.sub(unless_negated, text)
        return text.strip()

    def says_now(self, text: str) -> bool:
        """A present cue, once reassurance ("I'm stable now") is taken out."""
        return any(p.search(self.without_reassurance(text)) for p in self.present)


@functools.lru_cache(maxsize=1)
def default_cues() -> HistoryCues:
    return HistoryCues(*cue_lists(CUES_FILE, "past", "present", "reassurance"))


def clauses(text: str) -> list[str]:
    """The message cut at sentence ends, commas, joining words and a new "I ..." statement."""
    return [part for clause in _CLAUSE_SPLIT.split(text or "") if clause
            for part in _subject_parts(clause)]


def _subject_parts(clause: str) -> list[str]:
    """A clause cut before each new "I ..." statement; a filler word left in
    front stays with what follows ("ya estoy bien", not "ya" and "estoy
    bien"): the risk classifier read a lone "ya" as a crisis (fourteenth
    blind set). Only filler: any other word could carry risk into the
    clause after it (review, eleventh round)."""
    parts = [part.strip() for part in _NEW_SUBJECT.split(clause) if part.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and merged[-1] in _FILLER:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged


def only_history(text: str, matched_groups: Iterable[str], is_risky: Callable[[str], bool],
                 cues: HistoryCues | None = None, this_year: int | None = None) -> bool:
    """True when all the risk in the message is told as the distant past.

    `matched_groups` are the crisis-pattern groups the whole message matched;
    `is_risky(clause)` says whether the patterns or the risk classifier flag
    one clause on its own.
    """
    cues = cues or default_cues()
    lowered = (text or "").lower()
    if not set(matched_groups) <= HISTORICAL_GROUPS or cues.says_now(lowered):
        return False
    parts = clauses(lowered)
    past = [c for c in parts if cues.in_past(c, lowered, this_year) and not _said_now(c)]
    if not past:
        return False
    # A clause that is only reassurance ("hoy está estable") is too short for
    # the risk classifier to judge; anything left after taking it out is judged.
    rest = [cues.without_reassurance(c) for c in parts if c not in past]
    rest = [c for c in rest if c and not _EMPTY_REMNANT.fullmatch(c)]
    # The clauses are also judged together: cutting at a new "I ..." must not
    # split "nobody would care if i'm gone" into two harmless halves.
    return not (any(is_risky(c) for c in rest) or (len(rest) > 1 and is_risky(" ".join(rest))))
