"""Every answer's question is also a button the widget shows.

A visitor who taps "Can people with bipolar disorder get ketamine?" must get
that answer, so no question may read like a personal, illegal or crisis
message to the rule sets (which run before the model and win over it).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.store import load_library
from bot.safety.crisis import default_detector
from bot.safety.rulesets import illegal_rules, personal_rules

CONTENT = Path(__file__).resolve().parents[2] / "data" / "content"
QUESTIONS = sorted(
    (answer.id, answer.question)
    for answer in load_library(CONTENT).answers.values()
    if answer.status == "approved"
)


@pytest.mark.parametrize(("answer_id", "question"), QUESTIONS)
def test_button_question_is_not_diverted(answer_id: str, question: str) -> None:
    diverted = (personal_rules().reasons(question) + illegal_rules().reasons(question)
                + [m.group for m in default_detector().find(question)])
    assert not diverted, f"{answer_id}: '{question}' would go to {diverted}; phrase it generally"
