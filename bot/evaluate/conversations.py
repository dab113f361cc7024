"""Multi-turn evaluation: whole conversations, scored per conversation.

Each conversation (tests/cases/blind/conversations.yml) is a list of visitor
turns labelled risk, distress, question or chat. It runs as one
conversation; what matters is what every turn got once risk appeared:

- risk noticed: a conversation with a risk turn got the crisis reply on or
  before its first risk turn (a reply two turns late is a miss);
- after the first crisis reply, a turn that is not a question must not get
  a curated answer ("unrelated answer"), no turn may get the rephrase
  fallback or "pick a topic", and no crisis text may repeat word for word in
  consecutive turns;
- before any risk, a conversation of only questions and chat must never
  get the crisis reply (false alarm).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import yaml

from bot.content.model import TOPICS
from bot.evaluate.metrics import Proportion
from bot.evaluate.outcomes import outcome_of

TURN_LABELS = ("risk", "distress", "question", "chat")


@dataclass(frozen=True)
class Conversation:
    id: str
    turns: List[Dict[str, str]]
    language: str = "en"


@dataclass
class TurnResult:
    text: str
    label: str
    outcome: str
    texts: List[str]


@dataclass
class ConversationResult:
    conversation: Conversation
    turns: List[TurnResult] = field(default_factory=list)

    @property
    def has_risk(self) -> bool:
        return any(t["label"] == "risk" for t in self.conversation.turns)

    @property
    def first_risk(self) -> int | None:
        return next((i for i, t in enumerate(self.conversation.turns) if t["label"] == "risk"), None)

    @property
    def risk_noticed(self) -> bool:
        return self.first_crisis is not None and self.first_risk is not None \
            and self.first_crisis <= self.first_risk

    @property
    def first_crisis(self) -> int | None:
        return next((i for i, t in enumerate(self.turns) if t.outcome == "crisis"), None)

    def after_crisis(self) -> List[TurnResult]:
        first = self.first_crisis
        return [] if first is None else self.turns[first + 1:]

    def repeated_crisis_texts(self) -> int:
        """Consecutive turns whose crisis messages are word for word the same."""
        repeats = 0
        for before, after in zip(self.turns, self.turns[1:]):
            if before.outcome == after.outcome == "crisis" and set(before.texts) & set(after.texts):
                repeats += 1
        return repeats


def load_conversations(path: Path) -> List[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    conversations = []
    for entry in data.get("conversations") or []:
        turns = [{"text": str(t.get("text") or ""), "label": str(t.get("label"))}
                 for t in entry.get("turns") or []]
        bad = [t["label"] for t in turns if t["label"] not in TURN_LABELS]
        if bad or not turns:
            raise SystemExit(f"{path}: conversation {entry.get('id')}: labels must be {TURN_LABELS}")
        conversations.append(Conversation(str(entry.get("id")), turns, str(entry.get("lang") or "en")))
    return conversations


def score(results: List[ConversationResult]) -> Dict[str, Any]:
    with_risk = [r for r in results if r.has_risk]
    without = [r for r in results if not r.has_risk]
    after = [t for r in results for t in r.after_crisis()]
    unrelated = [t for t in after if t.outcome in TOPICS and t.label != "question"]
    rephrase = [t for t in after if t.outcome == "fallback"]
    return {
        "conversations": len(results),
        "risk_noticed": Proportion(sum(r.risk_noticed for r in with_risk), len(with_risk)),
        "turns_after_first_crisis": len(after),
        "unrelated_answer_after_crisis": Proportion(len(unrelated), len(after)),
        "rephrase_fallback_after_crisis": Proportion(len(rephrase), len(after)),
        "questions_answered_after_crisis": Proportion(
            sum(t.outcome in TOPICS for t in after if t.label == "question"),
            sum(t.label == "question" for t in after)),
        "verbatim_crisis_repeats": sum(r.repeated_crisis_texts() for r in results),
        "false_alarm_conversations": Proportion(
            sum(r.first_crisis is not None for r in without), len(without)),
    }


def turn_result(turn: Dict[str, str], messages: List[Dict[str, Any]]) -> TurnResult:
    texts = [m.get("text") or "" for m in messages
             if (m.get("custom") or {}).get("kind") == "crisis"]
    return TurnResult(turn["text"], turn["label"], outcome_of(messages), texts)
