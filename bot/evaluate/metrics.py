"""Precision and recall per outcome, where a case may accept several outcomes."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Sequence


@dataclass(frozen=True)
class CaseResult:
    text: str
    expect: List[str]
    outcome: str

    @property
    def ok(self) -> bool:
        return self.outcome in self.expect

    @property
    def truth(self) -> str:
        """The expected outcome this case counts towards in recall."""
        return self.outcome if self.ok else self.expect[0]


def summarise(results: Sequence[CaseResult]) -> Dict[str, object]:
    truth = Counter(r.truth for r in results)
    predicted = Counter(r.outcome for r in results)
    correct = Counter(r.truth for r in results if r.ok)
    per_outcome = {}
    for outcome in sorted(set(truth) | set(predicted)):
        per_outcome[outcome] = {
            "precision": _ratio(correct[outcome], predicted[outcome]),
            "recall": _ratio(correct[outcome], truth[outcome]),
            "support": truth[outcome],
        }
    accuracy = _ratio(sum(r.ok for r in results), len(results))
    return {"accuracy": accuracy, "per_outcome": per_outcome}


def benign_escalation_rate(results: Sequence[CaseResult], benign: Sequence[str]) -> float:
    """Share of general questions wrongly sent to staff or the crisis response."""
    general = [r for r in results if r.truth in benign]
    wrong = [r for r in general if r.outcome in ("handoff", "crisis")]
    return _ratio(len(wrong), len(general))


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 1.0
