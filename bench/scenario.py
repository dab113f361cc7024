"""What a simulated visitor says: a greeting, four to six questions and, for
about one visitor in five, the callback form.

The questions are the evaluation cases (tests/cases/visitor_questions.yml):
realistic visitor wording written apart from the training data, so the NLU
does real work. Only cases expected to get a curated answer are used; crisis
and personal questions would turn the conversation into a hand-off, which is
not what a burst of curious visitors looks like.

Conversations come from a seeded generator, so ours and stock receive the
same messages in the same order for the same visitor number.
"""
from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES_FILE = ROOT / "tests" / "cases" / "visitor_questions.yml"
TOPICS = {
    "about", "mechanism", "efficacy", "ect_comparison", "side_effects", "long_term_risks",
    "eligibility", "treatment_process", "esketamine", "preparation", "cost", "clinic",
}
CALLBACK_SHARE = 0.2
FIRST_NAMES = ("Maria", "Sam", "Priya", "Jordan", "Ana", "Lee", "Noor", "Chris")
TIMES = ("weekday mornings", "after 3pm on weekdays", "tomorrow morning", "any time friday")


@dataclass(frozen=True)
class Turn:
    message: str
    step: str  # "greet", "question" or "callback": how the turn is reported


@lru_cache(maxsize=1)
def _cases() -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    cases = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    greetings = tuple(c["text"] for c in cases if c["expect"] == "greet")
    questions = tuple(c["text"] for c in cases if isinstance(c["expect"], str) and c["expect"] in TOPICS)
    return greetings, questions


def questions() -> Tuple[str, ...]:
    return _cases()[1]


def callback_turns(rng: random.Random) -> List[Turn]:
    number = f"(202) 555-01{rng.randrange(100):02d}"
    contact = number if rng.random() < 0.7 else f"visitor{rng.randrange(1000)}@example.com"
    messages = ["i'd like a callback", rng.choice(FIRST_NAMES), contact, rng.choice(TIMES), "yes"]
    return [Turn(m, "callback") for m in messages]


def conversation(seed: int) -> List[Turn]:
    """The turns of visitor conversation number `seed`."""
    rng = random.Random(seed)
    greetings, pool = _cases()
    turns = [Turn(rng.choice(greetings), "greet")]
    turns += [Turn(q, "question") for q in rng.sample(pool, rng.randint(4, 6))]
    if rng.random() < CALLBACK_SHARE:
        turns += callback_turns(rng)
    return turns


def sender_id(label: str, seed: int) -> str:
    """A fresh conversation id in the widget's format (8-64 of [A-Za-z0-9_-])."""
    safe_label = re.sub(r"[^A-Za-z0-9_-]", "-", label)[:24]
    return f"bench-{safe_label}-{seed}-{uuid.uuid4().hex[:12]}"
