"""The risk classifier (bot/safety/risk_model.py) on small, made-up data: no Rasa model."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.risk_model import (
    Example, RiskModel, benign_parts, case_files, conversation_files, learned_case_files,
    load_case_examples, load_conversation_examples, load_risk_examples, segments,
    without_laughter,
)

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


@pytest.mark.parametrize("typed, read", [
    ("i have a plan lol. do you do same day", "i have a plan. do you do same day"),
    ("LMAO im dead 💀😂", "im dead"),
    ("jajaja me quiero morir jsjs", "me quiero morir"),
    ("hahaha ok hehe xd lolol", "ok"),
    ("ajajaja jajsjsjs 🙈", ""),
])
def test_the_classifier_never_reads_laughter(typed: str, read: str) -> None:
    # A laugh masks real risk as often as it marks a joke (seventeenth round).
    assert without_laughter(typed) == read


@pytest.mark.parametrize("text", [
    "ha habido cambios?", "jose and jessica", "lollipop", "javier", "ja je", "xd1",
    "i bought the rope 🪦", "🔫", "ya me voy ✌️", "all my 💊 tonight",
])
def test_words_that_only_look_like_laughter_stay(text: str) -> None:
    assert without_laughter(text) == text


def test_a_laugh_does_not_change_what_the_classifier_says() -> None:
    model = RiskModel.train([Example(t, "crisis") for t in CRISIS]
                            + [Example(t + " lol", "benign") for t in BENIGN])
    assert model.probabilities("i have pills saved up to die lol") == \
        model.probabilities("i have pills saved up to die")


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


def _blind_file(folder: Path, name: str, file_name: str, text: str) -> Path:
    path = folder / name / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _case_file(folder: Path, name: str, cases: str) -> Path:
    return _blind_file(folder, name, "safety_messages.yml", "kind: safety\ncases:\n" + cases)


def test_blind_cases_are_examples_a_near_miss_is_benign_and_distress_is_left_out(tmp_path: Path) -> None:
    path = _case_file(tmp_path, "blind2", (
        "- {text: this wait is killing me lol, expect: near_miss, category: idiom, lang: en}\n"
        "- {text: i have the pills counted out, expect: crisis, category: plan, lang: en}\n"
        "- {text: she won't wake up, expect: emergency, category: unresponsive, lang: en}\n"
        "- {text: so tired of all of it, expect: distress, category: venting, lang: en}\n"))
    assert load_case_examples([path]) == [
        Example("this wait is killing me lol", "benign"), Example("i have the pills counted out", "crisis"),
        Example("she won't wake up", "emergency")]


def test_the_first_blind_set_stays_out_of_training(tmp_path: Path) -> None:
    """`make evaluate` gates on the first set in CI: it must not be learned from."""
    case = "- {text: hi, expect: near_miss, category: chat, lang: en}\n"
    for name in ("blind", "blind2", "blind11"):
        _case_file(tmp_path, name, case)
    assert [p.parent.name for p in case_files(tmp_path)] == ["blind11", "blind2"]


def _conversation_file(folder: Path, name: str, turns: str) -> Path:
    return _blind_file(folder, name, "conversations.yml",
                       "conversations:\n- id: c1\n  lang: en\n  turns:\n" + turns)


def test_conversation_turns_before_the_first_risk_turn_are_benign(tmp_path: Path) -> None:
    """Chat and questions before any risk are ordinary; distress and risk are not learned."""
    path = _conversation_file(tmp_path, "blind2", (
        "  - {text: good afternoon, label: chat}\n"
        "  - {text: do you take medicare, label: question}\n"
        "  - {text: i feel so alone since she died, label: distress}\n"
        "  - {text: i have the pills ready, label: risk}\n"
        "  - {text: thanks, label: risk}\n"
        "  - {text: bye, label: chat}\n"))
    assert load_conversation_examples([path]) == [
        Example("good afternoon", "benign"), Example("do you take medicare", "benign")]


def test_the_first_blind_sets_conversations_stay_out_of_training_too(tmp_path: Path) -> None:
    turn = "  - {text: hi, label: chat}\n"
    for name in ("blind", "blind2"):
        _case_file(tmp_path, name, "- {text: hi, expect: near_miss, category: chat, lang: en}\n")
        _conversation_file(tmp_path, name, turn)
    assert [p.parent.name for p in conversation_files(tmp_path)] == ["blind2"]
    assert [f"{p.parent.name}/{p.name}" for p in learned_case_files(tmp_path)] == [
        "blind2/safety_messages.yml", "blind2/conversations.yml"]


def test_a_case_with_an_answer_topic_instead_of_a_safety_label_is_refused(tmp_path: Path) -> None:
    path = _case_file(tmp_path, "blind3", "- {text: how much is it, expect: cost, category: q, lang: en}\n")
    with pytest.raises(ValueError, match="cost"):
        load_case_examples([path])


def test_the_riskiest_parts_own_row_comes_with_the_maxima() -> None:
    """`scores` gives the per-label maxima and the row of the part with the most risk."""
    distress = ["i feel so sad all the time", "i am lonely and tired", "everything feels heavy and sad",
                "i cry every night and feel alone", "so lonely since the move", "sad and tired all day"]
    model = RiskModel.train([Example(t, "crisis") for t in CRISIS] + [Example(t, "benign") for t in BENIGN]
                            + [Example(t, "distress") for t in distress])
    text = "i feel so sad and lonely all the time. i am going to end my life tonight"
    maxima, peak = model.scores(text)
    assert maxima == model.probabilities(text)
    assert peak["crisis"] == maxima["crisis"]
    assert peak["distress"] < maxima["distress"]
