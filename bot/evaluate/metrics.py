"""Precision and recall per outcome, where a case may accept several outcomes,
each with a 95% Wilson score interval."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

Z95 = 1.959963984540054


@dataclass(frozen=True)
class CaseResult:
    text: str
    expect: List[str]
    outcome: str
    label: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in self.expect

    @property
    def truth(self) -> str:
        """The expected outcome this case counts towards in recall."""
        return self.outcome if self.ok else self.expect[0]


def wilson(successes: int, total: int, z: float = Z95) -> Tuple[float, float]:
    """The Wilson score interval for a proportion; (0, 1) when there is no data.

    Unlike the normal approximation it stays inside [0, 1] and behaves at
    0 and 100 %, which is where safety figures live.
    """
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Proportion:
    successes: int
    total: int

    @property
    def value(self) -> float:
        return self.successes / self.total if self.total else 1.0

    @property
    def interval(self) -> Tuple[float, float]:
        return wilson(self.successes, self.total)

    def __str__(self) -> str:
        low, high = self.interval
        return f"{self.value:.3f} [{low:.3f}-{high:.3f}] ({self.successes}/{self.total})"

    def as_dict(self) -> Dict[str, float]:
        low, high = self.interval
        return {"value": round(self.value, 4), "low": round(low, 4), "high": round(high, 4),
                "successes": self.successes, "total": self.total}


@dataclass(frozen=True)
class Count:
    """A plain count (no interval), such as repeated crisis texts."""

    count: int

    def __str__(self) -> str:
        return str(self.count)

    def as_dict(self) -> Dict[str, int]:
        return {"value": self.count}


def summarise(results: Sequence[CaseResult]) -> Dict[str, object]:
    truth = Counter(r.truth for r in results)
    predicted = Counter(r.outcome for r in results)
    correct = Counter(r.truth for r in results if r.ok)
    per_outcome = {}
    for outcome in sorted(set(truth) | set(predicted)):
        per_outcome[outcome] = {
            "precision": Proportion(correct[outcome], predicted[outcome]),
            "recall": Proportion(correct[outcome], truth[outcome]),
            "support": truth[outcome],
        }
    accuracy = Proportion(sum(r.ok for r in results), len(results))
    return {"accuracy": accuracy, "per_outcome": per_outcome}


def benign_escalation(results: Sequence[CaseResult], benign: Sequence[str]) -> Proportion:
    """General questions wrongly sent to staff, the crisis reply or a check-in."""
    general = [r for r in results if r.truth in benign]
    wrong = [r for r in general if r.outcome in ("handoff", "crisis", "check_in")]
    return Proportion(len(wrong), len(general))


def share(results: Sequence[CaseResult], label: str, outcomes: Sequence[str]) -> Proportion:
    """Of the cases labelled `label`, how many got one of `outcomes`."""
    subset = [r for r in results if r.label == label]
    return Proportion(sum(r.outcome in outcomes for r in subset), len(subset))


def pooled_recall(results: Sequence[CaseResult], outcomes: Sequence[str]) -> Proportion:
    subset = [r for r in results if r.truth in outcomes]
    return Proportion(sum(r.ok for r in subset), len(subset))


def as_json(summary: Dict[str, object]) -> Dict[str, object]:
    """The summary with every Proportion written out."""
    def convert(value: object) -> object:
        if isinstance(value, Proportion):
            return value.as_dict()
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        return value
    return convert(summary)  # type: ignore[return-value]
