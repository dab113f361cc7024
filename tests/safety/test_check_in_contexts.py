"""Contexts that make a classifier-only crisis a check-in (bot.safety.check_in_contexts)."""
from __future__ import annotations

import pytest

from bot.safety.check_in_contexts import DIRECTIONS, SAFE_STORAGE, check_in_context, tells_about_self


@pytest.mark.parametrize("text", [
    "what's the best way to store my ketamine troches so my teenager can't get to them",
    "I keep my gun locked so my kids can't reach it, is that enough?",
    "should the spravato be kept out of reach of children?",
    "como guardo las pastillas para que mis hijos no las encuentren",
    "¿cómo guardamos las pastillas de mi hermano para que estén seguras? nos dijeron bajo llave",
    "quiero guardar mis pastillas en un lugar seguro, recomiendan una caja con llave?",
])
def test_storing_means_safely_is_prevention(text) -> None:
    assert check_in_context(text) == SAFE_STORAGE


RISK_WORDS = ("used one on my arms", "tonight", "take it out at night", "esta noche", "jump")


def risky(clause: str) -> bool:
    """A stand-in for the patterns and the risk classifier."""
    return any(word in clause for word in RISK_WORDS)


@pytest.mark.parametrize("text", [
    # The independent review's sentences: risk in a clause outside the context.
    "I keep the razor blades locked away so my kids can't find them, but I used one on my arms last night",
    "I keep my gun in a safe place so my kids can't find it, but lately I take it out at night and just hold it",
    "the pills are out of reach of my kids, i have the only key and tonight is the night",
    "guardo las pastillas en un lugar seguro para que mis hijos no las encuentren, pero esta noche me las tomo",
    "which station is closest to you? I'll take the train there and then jump",
])
def test_risk_in_any_other_clause_keeps_the_crisis_reply(text) -> None:
    assert check_in_context(text, risky) is None


def test_a_statement_about_the_writer_beside_a_question_is_told_apart() -> None:
    assert tells_about_self("is ketamine safe during pregnancy? i don't want this baby or this life")
    assert tells_about_self("I work on a bridge crew. How long until I can work at heights?")
    assert not tells_about_self("the bridge on 5th is closed, is there another way to your office?")
    assert not tells_about_self("is there parking on the top floor of the garage?")


@pytest.mark.parametrize("text", [
    # Concealment or gathering is never prevention, whatever else is said.
    "where can I hide my pills so my husband cant find them",
    "I keep my pills locked up so my kids cant get them, I have enough saved to end it",
    "i lock my pills away so nobody knows how many i have",
    "I've been saving my pills in a safe place",
    "how do I store up my meds",
    "guardo las pastillas bajo llave para juntar suficientes",
    "las escondo bajo llave para que mi familia no las encuentre",
    # Storage without a protective purpose, or a purpose without storage.
    "I keep a gun in my nightstand",
    "my kids can't know about this",
    # "Locked up" alone is no purpose (independent review).
    "I'm locked up in the bathroom with all my pills",
    "guardo las pastillas bajo llave, esta noche me las tomo",
])
def test_anything_hidden_gathered_partnered_or_real_is_no_context(text) -> None:
    assert check_in_context(text) is None


@pytest.mark.parametrize("text", [
    "is there parking on the top floor of the garage next door? the lower levels are always full",
    "the bridge on 5th is closed, is there another way to get to your office",
    "I'll be coming by train, which station is closest",
    "hay estacionamiento en el último piso del garaje de al lado?",
])
def test_finding_the_clinic_past_landmarks_is_directions(text) -> None:
    assert check_in_context(text) == DIRECTIONS


@pytest.mark.parametrize("text", [
    # Height, falling, an ending or dark humour beside the landmark.
    "what floor is the clinic on? hopefully high enough to finish the job lol",
    "which bridge is closest to your clinic, the tall one?",
    "what floor is the clinic on? i want to see the view from the top floor one last time",
    "is the parking garage roof open? i want to jump",
    "which station is closest, i want to be on the tracks before the train comes",
    "cuál es el puente más cercano? quiero saltar",
    # A landmark without asking the way.
    "im on the bridge near your clinic and i cant do this anymore",
])
def test_a_landmark_beside_risk_or_without_way_finding_is_no_context(text) -> None:
    assert check_in_context(text) is None
