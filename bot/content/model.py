"""What an answer is, independent of where it is stored."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

# The fixed topic list. Evaluation outcomes, topic buttons and the content
# check all read it from here.
TOPICS: tuple[str, ...] = (
    "about",
    "mechanism",
    "efficacy",
    "ect_comparison",
    "side_effects",
    "long_term_risks",
    "eligibility",
    "treatment_process",
    "esketamine",
    "preparation",
    "cost",
    "clinic",
)

TOPIC_TITLES: Mapping[str, str] = {
    "about": "What ketamine is",
    "mechanism": "How it works",
    "efficacy": "How well it works",
    "ect_comparison": "Ketamine and ECT",
    "side_effects": "Side effects",
    "long_term_risks": "Long-term risks",
    "eligibility": "Who can get it",
    "treatment_process": "What a session is like",
    "esketamine": "Spravato nasal spray",
    "preparation": "Getting ready",
    "cost": "Cost and insurance",
    "clinic": "Contact and booking",
}

STATUSES = ("draft", "approved")

# An answer id: lower-case letters, digits and '_', starting with a letter.
# The content check, the console's "new answer" form and the widget's
# feedback endpoint all hold ids to this.
ANSWER_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,60}$")

# How the NLU data names an answer: visitors' wordings are examples of the
# intent faq/<id>, whose response utter_faq/<id> has the text content:<id>;
# the NLG sends the live answer from data/content/ in its place.
FAQ_INTENT_PREFIX = "faq/"
ANSWER_RESPONSE_PREFIX = "utter_" + FAQ_INTENT_PREFIX
CONTENT_TEXT_PREFIX = "content:"


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str


@dataclass(frozen=True)
class PendingEdit:
    """An edit of an approved answer waiting for a reviewer.

    It lives inside the answer's own YAML entry (`pending:`), so visitors keep
    getting the approved text until a reviewer approves the edit.
    """

    question: str
    text: str
    sources: tuple[str, ...]
    edited_by: str
    edited_on: dt.date | None
    line: int = 0


@dataclass(frozen=True)
class Answer:
    id: str
    topic: str
    question: str
    text: str
    sources: tuple[str, ...]
    reviewed_by: str
    reviewed_on: dt.date | None
    status: str
    staff_note: str = ""
    file: Path | None = None
    line: int = 0
    pending: PendingEdit | None = None

    @property
    def approved(self) -> bool:
        return self.status == "approved"


@dataclass(frozen=True)
class ContentLibrary:
    """One consistent snapshot of every answer and source."""

    answers: Mapping[str, Answer] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)

    def approved(self, answer_id: str) -> Answer | None:
        """The answer visitors may see, or None: drafts are never served."""
        answer = self.answers.get(answer_id)
        return answer if answer is not None and answer.approved else None

    def sources_of(self, answer: Answer) -> list[Source]:
        return [self.sources[s] for s in answer.sources if s in self.sources]

    def by_topic(self) -> dict[str, list[Answer]]:
        grouped: dict[str, list[Answer]] = {topic: [] for topic in TOPICS}
        for answer in self.answers.values():
            grouped.setdefault(answer.topic, []).append(answer)
        return grouped
