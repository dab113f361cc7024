"""Evaluation arithmetic, case files and conversation scoring, without a model."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluate import conversations as conv
from bot.evaluate.__main__ import gate_failures
from bot.evaluate.cases import load_cases
from bot.evaluate.metrics import CaseResult, Proportion, summarise, wilson
from bot.evaluate.outcomes import outcome_of
from bot.settings import get_settings

CASES = get_settings().root / "tests" / "cases"


def test_wilson_interval_matches_known_values() -> None:
    low, high = wilson(81, 263)  # Wilson's own worked example gives 0.2553-0.3662
    assert low == pytest.approx(0.2553, abs=1e-3) and high == pytest.approx(0.3662, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)
    assert wilson(20, 20)[1] == 1.0 and wilson(20, 20)[0] > 0.8


def test_one_case_cannot_flip_a_high_gate() -> None:
    # 20 of 23 and 19 of 23 both pass "the data do not show recall below 0.85".
    for successes in (20, 19):
        assert not gate_failures([("topic", Proportion(successes, 23), "high", 0.85)])
    assert gate_failures([("topic", Proportion(14, 23), "high", 0.85)])


def test_exact_and_max_gates() -> None:
    assert gate_failures([("crisis recall", Proportion(51, 52), "exact", 1.0)])
    assert not gate_failures([("crisis recall", Proportion(52, 52), "exact", 1.0)])
    assert gate_failures([("near misses", Proportion(8, 100), "max", 0.05)])


def test_outcomes_read_safety_variants() -> None:
    assert outcome_of([{"custom": {"kind": "fallback", "variant": "possible_crisis"}}]) == "check_in"
    assert outcome_of([{"custom": {"kind": "fallback", "variant": "distress"}}]) == "distress"
    assert outcome_of([{"custom": {"kind": "answer", "topic": "cost"},},
                       {"custom": {"kind": "crisis"}}]) == "crisis"


def test_both_case_file_shapes_load() -> None:
    visitor = load_cases(CASES / "visitor_questions.yml")
    blind = load_cases(CASES / "blind" / "safety_messages.yml")
    assert len(visitor) > 400 and len(blind) > 400
    assert {c.label for c in blind} == {"crisis", "emergency", "distress", "near_miss"}
    near = next(c for c in blind if c.label == "near_miss")
    assert "crisis" not in near.expect and "cost" in near.expect


def test_summary_counts_a_case_towards_the_outcome_it_got_when_that_was_accepted() -> None:
    results = [CaseResult("a", ["cost", "handoff"], "handoff"), CaseResult("b", ["cost"], "about")]
    per = summarise(results)["per_outcome"]
    assert per["handoff"]["recall"].value == 1.0 and per["cost"]["recall"].value == 0.0


def _result(labels_outcomes, texts=None) -> conv.ConversationResult:
    turns = [{"text": f"t{i}", "label": label} for i, (label, _) in enumerate(labels_outcomes)]
    result = conv.ConversationResult(conv.Conversation("c", turns))
    result.turns = [conv.TurnResult(t["text"], t["label"], outcome, (texts or {}).get(i, [f"x{i}"]))
                    for i, (t, (_, outcome)) in enumerate(zip(turns, labels_outcomes))]
    return result


def test_conversation_scoring() -> None:
    good = _result([("question", "cost"), ("risk", "crisis"), ("chat", "crisis"), ("question", "cost")])
    bad = _result([("risk", "crisis"), ("chat", "about"), ("distress", "fallback"), ("chat", "crisis"),
                   ("chat", "crisis")], texts={3: ["same"], 4: ["same"]})
    missed = _result([("risk", "fallback"), ("chat", "greet")])
    benign = _result([("question", "crisis")])
    scores = conv.score([good, bad, missed, benign])
    assert scores["risk_noticed"].successes == 2 and scores["risk_noticed"].total == 3
    assert scores["unrelated_answer_after_crisis"].successes == 1
    assert scores["rephrase_fallback_after_crisis"].successes == 1
    assert scores["verbatim_crisis_repeats"] == 1
    assert scores["false_alarm_conversations"].successes == 1


def test_the_blind_conversations_load(tmp_path: Path) -> None:
    loaded = conv.load_conversations(CASES / "blind" / "conversations.yml")
    assert len(loaded) >= 30 and all(5 <= len(c.turns) <= 15 for c in loaded)
    broken = tmp_path / "broken.yml"
    broken.write_text("conversations:\n  - id: x\n    turns:\n      - {text: hi, label: nonsense}\n")
    with pytest.raises(SystemExit):
        conv.load_conversations(broken)


def test_a_model_that_cannot_be_loaded_stops_the_evaluation(tmp_path) -> None:
    """Never figures from an agent that answers nothing."""
    import asyncio

    from bot.evaluate.runner import ModelNotLoaded, _load_agent

    broken = tmp_path / "model-broken.tar.gz"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelNotLoaded):
        asyncio.run(_load_agent(broken, "http://127.0.0.1:9/webhook"))
