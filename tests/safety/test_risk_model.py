"""The risk classifier (bot/safety/risk_model.py) on small, made-up data: no Rasa model."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.risk_model import Example, RiskModel, benign_parts, load_risk_examples, segments

CRISIS = [
    "i want to kill myself tonight", "i am going to end my life", "i have pills saved up to die",
    "i dont want to be alive anymore", "im going to jump off the bridge", "i wrote my goodbye letter",
]
BENIGN = [
    "how much does an infusion cost?", "do you take insurance?", "how long is a session?",
    "can i drive home after treatment?", "what are the side effects?", "is ketamine safe?",
    "My brother takes lithium every day. Can he still book a consult?",
    "The bridge near your office was closed. Is there parking on the north side?",
]


def test_segments_keep_the_whole_message_and_its_long_enough_parts() -> None:
    text = "I love my dog. And there's a rope in the garage I keep looking at."
    assert segments(text)[0] == text
    assert "And there's a rope in the garage I keep looking at." in segments(text)
    assert segments("hi. ok.") == ["hi. ok."]  # parts under three words are not judged alone


def test_only_benign_examples_are_split_into_benign_parts() -> None:
    examples = [Example(BENIGN[-1], "benign"),
                Example("I had a nice day. I want to kill myself tonight.", "crisis")]
    parts = benign_parts(examples)
    assert [p.label for p in parts] == ["benign", "benign"]
    assert {p.text for p in parts} == {"The bridge near your office was closed.",
                                       "Is there parking on the north side?"}


def test_a_part_with_a_harm_word_is_not_learned_as_benign_on_its_own() -> None:
    example = Example("I'm a pharmacy student. What's the lethal dose of ketamine compared to "
                      "the clinic dose?", "benign")
    assert [p.text for p in benign_parts([example])] == ["I'm a pharmacy student."]


def test_a_part_of_a_benign_message_is_learned_as_benign() -> None:
    model = RiskModel.train([Example(t, "crisis") for t in CRISIS]
                            + [Example(t, "benign") for t in BENIGN], c=16.0)
    fragment = "The bridge near your office was closed."
    assert model.probabilities(fragment)["benign"] > model.probabilities(fragment)["crisis"]
    assert model.probabilities("im going to jump off the bridge tonight")["crisis"] > 0.5


def test_the_riskiest_part_of_a_long_message_counts() -> None:
    model = RiskModel.train([Example(t, "crisis") for t in CRISIS]
                            + [Example(t, "benign") for t in BENIGN], c=16.0)
    calm = "How much does an infusion cost? Do you take insurance? How long is a session?"
    assert (model.probabilities(calm + " I have pills saved up to die.")["crisis"]
            > model.probabilities(calm)["crisis"] + 0.2)


def test_save_and_load_give_the_same_probabilities(tmp_path: Path) -> None:
    model = RiskModel.train([Example(t, "crisis") for t in CRISIS]
                            + [Example(t, "benign") for t in BENIGN], c=16.0)
    model.save(tmp_path / "risk.joblib")
    loaded = RiskModel.load(tmp_path / "risk.joblib")
    text = "my brother said goodbye and gave his dog away"
    assert loaded.probabilities(text) == pytest.approx(model.probabilities(text))


def test_an_unknown_label_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("examples:\n  - text: hello\n    label: maybe\n")
    with pytest.raises(ValueError, match="maybe"):
        load_risk_examples(tmp_path)
