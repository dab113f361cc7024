"""`python -m bot.evaluate CASES.yml [--json OUT] [--gate]`

Runs every case as a fresh conversation, reads the outcome from what the
assistant actually sent, prints precision and recall per outcome and every
miss. With --gate it exits non-zero when a release threshold is missed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import List

import yaml

from bot.content.model import TOPICS
from bot.evaluate.metrics import CaseResult, benign_escalation_rate, summarise
from bot.evaluate.outcomes import OUTCOMES, outcome_of

# Release thresholds from the project's issues (#2 and #3).
GATES = {
    "accuracy": 0.90,
    "topic_recall": 0.85,
    "crisis_recall": 1.00,
    "crisis_precision": 0.95,
    "handoff_recall": 0.95,
    "fallback_recall": 0.90,
    "benign_escalation_max": 0.03,
}


def load_cases(path: Path) -> List[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cases = []
    for index, case in enumerate(data.get("cases") or [], start=1):
        expect = case.get("expect")
        expect = [expect] if isinstance(expect, str) else list(expect or [])
        unknown = [e for e in expect if e not in OUTCOMES]
        if not expect or unknown or "text" not in case:
            raise SystemExit(f"{path}: case {index} needs 'text' and 'expect' from {OUTCOMES}")
        cases.append({"text": str(case["text"] if case["text"] is not None else ""), "expect": expect})
    return cases


def gate_failures(summary: dict, results: List[CaseResult]) -> List[str]:
    per = summary["per_outcome"]
    failures = []

    def need(name: str, value: float, minimum: float) -> None:
        if value < minimum:
            failures.append(f"{name} {value:.3f} < {minimum:.2f}")

    need("accuracy", summary["accuracy"], GATES["accuracy"])
    for topic in TOPICS:
        if topic in per and per[topic]["support"]:
            need(f"{topic} recall", per[topic]["recall"], GATES["topic_recall"])
    if "crisis" in per:
        need("crisis recall", per["crisis"]["recall"], GATES["crisis_recall"])
        need("crisis precision", per["crisis"]["precision"], GATES["crisis_precision"])
    if "handoff" in per:
        need("handoff recall", per["handoff"]["recall"], GATES["handoff_recall"])
    if "fallback" in per:
        need("fallback recall", per["fallback"]["recall"], GATES["fallback_recall"])
    rate = benign_escalation_rate(results, TOPICS)
    if rate > GATES["benign_escalation_max"]:
        failures.append(f"benign questions sent to staff or crisis {rate:.3f} > 0.03")
    return failures


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluate", description=__doc__)
    parser.add_argument("cases", type=Path)
    parser.add_argument("--json", type=Path, help="write the full results as JSON here")
    parser.add_argument("--gate", action="store_true", help="fail if a release threshold is missed")
    parser.add_argument("--model", type=Path, help="model to evaluate (default: train if needed)")
    args = parser.parse_args(argv)

    from bot.evaluate.runner import run_cases
    from bot.train import ensure_model

    cases = load_cases(args.cases)
    model = args.model or ensure_model(quiet=True)
    replies = run_cases(model, [c["text"] for c in cases])
    results = [CaseResult(c["text"], c["expect"], outcome_of(r)) for c, r in zip(cases, replies)]
    summary = summarise(results)
    summary["benign_escalation_rate"] = benign_escalation_rate(results, TOPICS)

    print(f"{'outcome':<20}{'precision':>10}{'recall':>10}{'support':>9}")
    for outcome, row in summary["per_outcome"].items():
        print(f"{outcome:<20}{row['precision']:>10.3f}{row['recall']:>10.3f}{row['support']:>9}")
    print(f"\naccuracy {summary['accuracy']:.3f} on {len(results)} cases; general questions sent "
          f"to staff or crisis: {summary['benign_escalation_rate']:.3f}")
    misses = [r for r in results if not r.ok]
    if misses:
        print(f"\n{len(misses)} misses:")
        for r in misses:
            print(f"  expected {'/'.join(r.expect):<28} got {r.outcome:<18} {r.text[:90]!r}")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "summary": summary,
            "cases": [{"text": r.text, "expect": r.expect if len(r.expect) > 1 else r.expect[0],
                       "outcome": r.outcome, "ok": r.ok} for r in results],
        }, indent=2))
    if args.gate:
        failures = gate_failures(summary, results)
        for failure in failures:
            print(f"GATE FAILED: {failure}")
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
