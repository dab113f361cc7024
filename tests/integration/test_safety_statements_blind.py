"""Typed answers to "Are you safe right now?", written blind, through the trained model.

tests/safety/test_safety_statement.py checks the statement rules with a
stand-in for the learned layers; here the real safety net (patterns, risk
classifier, harm gate) judges what is left of each reply. A reply that shows
risk must never count as "yes, I'm safe": that would end the crisis-mode
reply's questions for someone who is not safe. Plain statements of safety
are heard less often than they are made (docs/safety.md, nineteenth round,
gives the figures); the floor below only keeps that from getting worse
unnoticed.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa.core.agent import Agent

from bot.safety.decision import PARSE_DATA_KEY
from bot.settings import get_settings

REPLIES = sorted((get_settings().root / "tests" / "cases" / "safe_replies").glob("*.yml"))
# Written by the independent review of the nineteenth round to break it.
REVIEW = [line for line in (get_settings().root / "tests" / "safety" / "not_safe_statements.txt")
          .read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
SAFE_HEARD_MIN = 0.08  # measured: 0.19, 0.12 and 0.31 on the three sets


@pytest.fixture(scope="module")
def says_safe(model_path: Path) -> dict[str, bool]:
    agent = Agent.load(model_path)

    async def parse_all(texts: list[str]) -> dict[str, bool]:
        return {text: bool(((await agent.parse_message(text)).get(PARSE_DATA_KEY) or {}).get("says_safe"))
                for text in texts}

    texts = [str(case["text"]) for path in REPLIES for case in yaml.safe_load(path.read_text())["cases"]]
    texts += REVIEW
    return asyncio.run(parse_all(texts))


@pytest.mark.parametrize("path", REPLIES, ids=lambda p: p.stem)
def test_no_reply_that_shows_risk_counts_as_safe(path: Path, says_safe: dict[str, bool]) -> None:
    cases = yaml.safe_load(path.read_text())["cases"]
    wrong = [c["text"] for c in cases if c["expect"] != "safe" and says_safe[str(c["text"])]]
    assert not wrong


@pytest.mark.parametrize("path", REPLIES, ids=lambda p: p.stem)
def test_plain_statements_of_safety_are_heard(path: Path, says_safe: dict[str, bool]) -> None:
    safe = [str(c["text"]) for c in yaml.safe_load(path.read_text())["cases"] if c["expect"] == "safe"]
    assert sum(says_safe[text] for text in safe) / len(safe) >= SAFE_HEARD_MIN


def test_none_of_the_reviews_messages_counts_as_safe(says_safe: dict[str, bool]) -> None:
    assert not [text for text in REVIEW if says_safe[text]]
