"""Slang rewrites and risk-word spelling correction, before any check reads a message."""
from __future__ import annotations

import pytest

from bot.safety.normalise import RiskSpelling, normalise


@pytest.mark.parametrize("typed, plain", [
    ("i wanna dye", "i wanna die"),
    ("im gonna kms", "i'm gonna kill myself"),
    ("i wanna unalive", "i wanna kill myself"),
    ("gonna unalive him", "gonna kill him"),
    ("relapsed on sh again", "relapsed on self harm again"),
    ("sewerslide", "suicide"),
    ("su1c1de", "suicide"),
    ("sucide thoughts", "suicide thoughts"),
    ("kil myslef", "kill myself"),
    ("i took too many pils", "i took too many pills"),
    ("i want to die rn", "i want to die right now"),
    ("i cant breathe", "i can not breathe"),
    # Idioms with a harm word are rewritten to what they mean.
    ("killing time before my husband's session", "pass time before my husband's session"),
    ("killed two birds with one stone", "do two things at once"),
])
def test_risk_spellings_and_slang_become_plain_words(typed, plain) -> None:
    assert normalise(typed) == plain


@pytest.mark.parametrize("text", [
    "the clinic is 5 kms away",
    "the km drive is long",
    "gonna dye my hair before the appointment",
    "shh its fine",
    "what does the diet before treatment look like",
    "does it help with breath work",
])
def test_ordinary_words_are_left_alone(text) -> None:
    assert normalise(text) == text


@pytest.mark.parametrize("idiom, meaning", [
    ("i'm dying to know if insurance covers it", "i'm eager to know if insurance covers it"),
    ("my phone died lol", "my phone failing lol"),
    ("my plants are all dying", "my plants are all failing"),
    ("dead tired, see you at 10", "very tired, see you at 10"),
    ("shoot me an email", "send me an email"),
    ("going to shoot for thursday", "going to aim for thursday"),
    ("hang in there", "keep going"),
    ("you killed it!", "you did great!"),
    ("overdosed on netflix this weekend", "had too much netflix this weekend"),
    ("i'm killing it at work", "i'm doing great at work"),
    ("let me shoot you my email real quick", "let me send you my email real quick"),
    ("i'll shoot you a quick text", "i'll send you a quick text"),
    ("gonna jump on a call with my insurance, brb", "gonna join it with my insurance, brb"),
    ("my phone is on its last legs", "my phone is wearing out"),
    ("my dad's old truck finally gave up the ghost", "my dad's old truck finally broke down"),
    ("if looks could kill", "an angry look"),
    ("i'd give my right arm for a good night's sleep", "i'd want very much a good night's sleep"),
    ("burning the candle at both ends", "overworking"),
    ("i'm going to kill this job interview", "i'm going to do great at it"),
    ("i keep killing my houseplants", "i keep got rid of them"),
    # The eighth round.
    ("me quiero morir de la vergüenza, lo mandé sin firmar", "tengo mucha vergüenza, lo mandé sin firmar"),
    # The fourteenth round (eighteenth blind set).
    ("i'm gonna jump on the waitlist, how long is it?", "i'm gonna sign up for it, how long is it?"),
    ("i shot my shot and asked my dr", "i took a chance and asked my dr"),
    ("shot myself in the foot by forgetting my id", "made a mistake by forgetting my id"),
    ("i tried to kill the spider in my bathroom", "i tried to got rid of them in my bathroom"),
])
def test_idioms_with_a_harm_word_become_what_they_mean(idiom, meaning) -> None:
    assert normalise(idiom) == meaning


@pytest.mark.parametrize("text", [
    # What an idiom rule must never touch: threats, wishes, bodies, emergencies.
    "my husband will kill me if i leave",
    "i'd rather die than go back on that",
    "the wait is killing me",
    "i want to hang myself",
    "i'm going to shoot myself",
    "cut myself again",
    "i overdosed on my pills",
    "he is dead asleep and won't wake up",
    "kill it all tonight",
    "my son is dying",
    # An independent review's cases: a person, a threat or a means near an idiom's words.
    "my son is in the car dying",
    "found my dad in the garden dead",
    "he's lying by the phone dead",
    "overdosed on caffeine pills, heart racing",
    "pull the trigger on myself",
    "the baby won't stop crying, i could kill it",
    "the baby wouldn't stop crying so i killed it",
    "i'll be dead meat",
    "sick to death of living",
    "rope to hang up in the garage",
    "i want to hang out of the window",
    "where should i shoot for it to be quick",
    "me muero de ganas de morir",
    # Next to this round's idiom rules: a person, a threat or a body stays.
    "i'm going to shoot you",
    "i want to shoot him in the head",
    "shoot me now, i am done",
    "my dad gave up the ghost last night",
    "i want to jump off the bridge on my way to the appointment",
    "i'm going to kill my husband",
    # Next to the eighth round's: sorrow, a person, or no provider named.
    "me quiero morir de pena",
    "me quiero morir de tristeza desde que se fue",
    "i want to end things with my family",
    "i'm going to end it with my husband's gun",
    "ending it with my pills tonight",
    "i'd drive my car off a cliff",
    # The eighth round's review: rules tried and dropped because these went through.
    "he said he'd drive me off a cliff if i leave him",
    "the voices are driving me off a cliff",
    "i'll end it with my prescriber's oxy",
    "going to end things with the clinic's ketamine",
    "i want to die of cringe and of everything else in my life",
    "i could kill them all",
    "he looks like he could kill someone",
    "kill me now",
    # The fourteenth round's reviews: the same words meant literally, or a
    # poison or a swallow beside a pest.
    "i accidentally shot myself in the foot when i was hunting",
    "i shot myself in the foot by dropping my shotgun, my toes are numb",
    "shot myself in the foot by cleaning my .22",
    "i am gonna jump on the list of people who ended it",
    "jump on the deal? the deal is the train tracks at 5am",
    "gonna kill the wasps with the can of raid then drink the rest of it",
    "gonna kill the roaches with raid and then swallow the can",
    "i'm killing the ants with bleach and then i'll drink the bleach",
])
def test_idiom_rules_leave_risk_alone(text) -> None:
    assert normalise(text) == text


def test_spanish_is_not_spell_corrected_towards_english() -> None:
    assert normalise("dije que no", "es") == "dije que no"
    assert normalise("me quiero suicidar", "es") == "me quiero suicidar"


def test_only_rare_words_near_a_risk_word_are_corrected() -> None:
    spelling = RiskSpelling(["suicide", "die"], {"suicide": -10.5, "die": -9.0, "dye": -12.3,
                                                  "sucide": -17.1})
    assert spelling.correct("sucide") == "suicide"
    assert spelling.correct("dye") == "dye"          # a real word, only 20 times rarer
    assert spelling.correct("zzz") == "zzz"
    assert spelling.correct("dog") == "dog"          # two edits from "die": too far for a short word
