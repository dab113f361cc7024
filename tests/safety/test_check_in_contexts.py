"""Contexts that make a classifier-only crisis a check-in (bot.safety.check_in_contexts)."""
from __future__ import annotations

import pytest

from bot.safety.check_in_contexts import FIGURE_OF_SPEECH, SAFE_STORAGE, check_in_context


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


@pytest.mark.parametrize("text", [
    "my boss is going to kill me if I take another Friday off. any Saturday appointments?",
    "My sister would kill me if she knew I was looking into this, can you not leave voicemails?",
    "lol my mom will kill me if she finds out i booked without telling her",
    "my bank account is gonna kill me lol",
])
def test_a_threats_words_about_a_named_non_partner_are_a_figure_of_speech(text) -> None:
    assert check_in_context(text) == FIGURE_OF_SPEECH


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
    # A partner, a bare pronoun, or a sign the threat is real.
    "my husband will kill me if I leave",
    "my boyfriend is going to kill me if he finds out",
    "he's going to kill me if I tell anyone",
    "my dad will kill me if he finds out, he hits me when he's angry",
    "my brother said he will kill me if I call the police",
    "my dad is going to kill me, I'm scared to go home",
    "my son is going to kill me for real, he has a knife",
])
def test_anything_hidden_gathered_partnered_or_real_is_no_context(text) -> None:
    assert check_in_context(text) is None
