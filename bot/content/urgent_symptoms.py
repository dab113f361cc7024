"""The urgent symptoms that call for 911: the one list the content check uses.

From the content brief (/work/shared/content-brief.md), section 8 "Safety:
crisis resources and chatbot guardrails":

- "Urgent symptoms after a treatment call for 911: chest pain, trouble
  breathing, a sudden severe headache, vision changes, fainting, a seizure,
  or severe confusion." [S1] (the brief marks the list "verify against the
  Spravato Medication Guide");
- "Immediate danger: call 911 (or the local emergency number), or go to the
  nearest emergency room." [S27], which covers thoughts of suicide or self-harm.

An answer that names one of these must also say 911, so a visitor reading
about a headache or slowed breathing learns in the same message when that is
an emergency (bot/content/check.py, _check_emergency). Change this list only
when the brief's section 8 changes, and keep the answers' emergency sentence
in step with it.

Each pattern is matched case-insensitively, at word boundaries, against the
answer text as visitors read it. The patterns are deliberately broad
("headache", not only "severe headache"): naming the symptom at all is
enough to need the 911 sentence.
"""
from __future__ import annotations

import re

BRIEF_SECTION = "content brief, section 8"

# (the brief's words, what counts as naming it in an answer)
URGENT_SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("chest pain", r"chest pains?"),
    ("trouble breathing",
     r"(?:trouble|difficulty|problems?|slow(?:ed)?|shallow)\s+breathing"
     r"|breathing\s+(?:or\s+\w+\s+)?(?:problems?|trouble)"
     r"|hard\s+to\s+breathe|can(?:not|'t|’t)\s+breathe|short(?:ness)?\s+of\s+breath"),
    ("a sudden severe headache", r"headaches?"),
    ("vision changes", r"vision|blurr(?:ed|y)"),
    ("fainting", r"faint(?:s|ed|ing)?|pass(?:es|ed|ing)?\s+out"),
    ("a seizure", r"seizures?|convulsions?"),
    ("severe confusion", r"confus(?:ed|ion)"),
    ("thoughts of suicide or self-harm",
     r"suicid\w*|self[- ]harm|(?:harm|hurt)(?:ing)?\s+(?:your|them)sel(?:f|ves)"
     r"|end(?:ing)?\s+(?:your|their)\s+life"),
)

EMERGENCY_NUMBER = "911"
EMERGENCY_PATTERN = re.compile(r"\b911\b")
_PATTERNS = tuple((name, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE))
                  for name, pattern in URGENT_SYMPTOMS)


def urgent_symptoms_in(text: str) -> list[str]:
    """The brief's names of the urgent symptoms a text mentions, in the brief's order."""
    return [name for name, pattern in _PATTERNS if pattern.search(text)]


def says_emergency_number(text: str) -> bool:
    return bool(EMERGENCY_PATTERN.search(text))
