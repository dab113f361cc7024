"""The deterministic crisis net alone, without the ML model.

The phrasings in crisis_phrases.yml and near_misses.yml were written for
these tests, independently of the patterns and of the training data.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.safety.crisis import default_detector
from bot.safety.rulesets import personal_rules

HERE = Path(__file__).parent
CRISIS = yaml.safe_load((HERE / "crisis_phrases.yml").read_text())["crisis"]
NEAR = yaml.safe_load((HERE / "near_misses.yml").read_text())
NEAR_MISSES, BORDERLINE = NEAR["near_misses"], NEAR["borderline"]


def test_enough_phrasings() -> None:
    assert len(CRISIS) >= 80 and len(NEAR_MISSES) >= 80


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_is_detected(text: str) -> None:
    assert default_detector().find(text), f"missed crisis: {text!r}"


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_miss_is_not_crisis(text: str) -> None:
    assert not default_detector().find(text), f"false alarm: {text!r}"


@pytest.mark.parametrize("text", BORDERLINE)
def test_borderline_goes_to_a_person(text: str) -> None:
    """Personal history of self-harm: crisis resources or staff, never a plain answer."""
    assert default_detector().find(text) or personal_rules().reasons(text), text


def test_crisis_at_the_end_of_a_very_long_message() -> None:
    text = "I have a lot of questions about cost and insurance. " * 100 + "I want to kill myself."
    assert len(text) > 5000
    assert default_detector().find(text)


def test_negation_is_handled_deliberately() -> None:
    detector = default_detector()
    assert not detector.find("I'm not suicidal, just curious how it works")
    assert detector.find("I'm not suicidal but I keep wishing I could disappear forever")


@pytest.mark.parametrize("text, kind", [
    # Eighteenth round: something swallowed that burns or poisons is an
    # emergency, a question about it is not; how high a fall kills is a
    # method question, a question about a building is not.
    ("baby swallowed one of those little round batteries", "emergency"),
    ("my sister drank bleach, she's throwing up", "emergency"),
    ("mi niño se tragó una pila", "emergency"),
    # A farewell note in Spanish, as "by the time you read this" (review).
    ("cuando leas esto ya va a ser tarde, gracias por todo", "crisis"),
    # Others better off without the writer (review), not a beard.
    ("mi esposa estaría mejor con el dinero del seguro que conmigo", "crisis"),
    ("todos estarían mejor sin mí", "crisis"),
    ("me veo mejor sin mi barba, verdad?", None),
    ("how far do you have to fall for it to be a sure thing", "crisis"),
    ("how high does a bridge have to be to die", "crisis"),
    ("what happens if a kid swallowed a battery?", None),
    ("how far is the fall from the parking deck to the street", None),
    ("how tall is the building, i get vertigo", None),
    # The review of the eighteenth round: everyday words near each other.
    ("I ate lunch and my phone battery is at 2%, can I still come in?", None),
    ("how do I stop my toddler trying to swallow magnets", None),
    ("tomo cloroquina, ¿puedo recibir ketamina?", None),
    ("how high is the risk of a fall, can it be fatal", None),
    ("cuando lean esto los del consultorio, ¿me pueden llamar?", None),
    ("mis hijos están mejor con su papá que conmigo", None),
    ("mi hijo tomó cloro", "emergency"),
    ("mi familia va a estar mejor sin mí", "crisis"),
])
def test_swallowed_poisons_and_fall_heights(text: str, kind) -> None:
    kinds = {m.kind for m in default_detector().find(text)}
    assert kinds == ({kind} if kind else set()), text


@pytest.mark.parametrize("text, kind", [
    # Nineteenth round: a venomous snake's bite, and a person who is not
    # moving after a fall or a wreck, are emergencies; the same words in
    # everyday senses are not.
    ("rattler got me on the hand, we're way out past arivaca", "emergency"),
    ("got bit by a rattlesnake hiking, my leg is swelling up fast", "emergency"),
    ("a snake just bit my son by the creek", "emergency"),
    ("me mordió una víbora de cascabel en el tobillo", "emergency"),
    ("a mi hijo le picó una víbora en el pie", "emergency"),
    ("coworker fell off the ladder at the mill and hes not moving", "emergency"),
    ("wreck on I-10 near the Kino exit, my friend isn't moving", "emergency"),
    ("mi compañero se cayó del andamio y no se mueve", "emergency"),
    ("what do you do if a rattlesnake bites you on a hike?", None),
    ("sounds like snake oil tbh, $500 a pop", None),
    ("used to love fishing on the snake river", None),
    ("mi hijo no se mueve de la cama en todo el día", None),
    ("the line at the pharmacy isn't moving", None),
    ("we're not moving to phoenix after all, can i keep my appointment", None),
])
def test_snake_bites_and_people_not_moving(text: str, kind) -> None:
    kinds = {m.kind for m in default_detector().find(text)}
    assert kinds == ({kind} if kind else set()), text
