"""The safety decision, from signals alone: no model, no spaCy, no Rasa."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.safety.decision import (
    CRISIS, DISTRESS, EMERGENCY, ILLEGAL, NONE, PERSONAL, POSSIBLE_RISK,
    SafetyDecision, Signals, Thresholds, decide, is_clear_question, thresholds_from_config,
)
from bot.settings import get_settings

T = Thresholds()
BENIGN = {"benign": 0.97, "crisis": 0.01, "emergency": 0.01, "distress": 0.01}
QUESTION = Signals(risk=BENIGN, ml_intent="faq", is_question=True, answer_id="cost_overview",
                   answer_confidence=0.9)


def test_a_plain_question_is_none_and_clear() -> None:
    decision = decide(QUESTION, T)
    assert decision.kind == NONE and decision.clear_question
    assert decision.general_answer_id == "cost_overview"


def test_the_decision_says_whether_the_message_is_about_someone() -> None:
    # The safety policy needs it in crisis mode ("can I still book for him?").
    assert not decide(QUESTION, T).about_a_person
    about = decide(replace(QUESTION, about_a_person=True), T)
    assert about.about_a_person and about.clear_question


def test_a_message_with_an_input_problem_is_never_a_clear_question() -> None:
    # In crisis mode it must get the crisis-mode reply in Spanish, not "I can
    # only answer in English".
    decision = decide(replace(QUESTION, input_problem="other_language", language="es"), T)
    assert decision.kind == NONE and not decision.clear_question


def test_a_pattern_match_is_crisis_whatever_the_models_say() -> None:
    # Twice a rule let the learned layers turn a pattern match they scored
    # as benign into the check-in; twice independent reviews found real
    # risk they scored near zero: "i'm suicidal lol. do you take cigna" and
    # "tengo ideas suicidas, aceptan oscar?" (0.00 and 0.01, seventeenth
    # round), "i have the pills saved up lol" (twelfth round).
    signals = replace(QUESTION, pattern_matches=(("suicidal_thoughts", "crisis"),))
    assert decide(signals, T).kind == CRISIS
    assert decide(replace(signals, risk={"benign": 1.0}), T).kind == CRISIS


def test_emergency_patterns_alone_make_an_emergency() -> None:
    signals = replace(QUESTION, pattern_matches=(("emergency_symptoms", "emergency"),))
    assert decide(signals, T).kind == EMERGENCY


def test_crisis_outranks_emergency_when_both_match() -> None:
    signals = replace(QUESTION, pattern_matches=(("emergency_symptoms", "emergency"),
                                                 ("overdose", "crisis")))
    assert decide(signals, T).kind == CRISIS


@pytest.mark.parametrize("risk, kind", [
    ({"crisis": 0.6, "emergency": 0.1}, CRISIS),
    ({"crisis": 0.1, "emergency": 0.7}, EMERGENCY),
    ({"crisis": 0.25, "emergency": 0.15}, POSSIBLE_RISK),
    ({"crisis": 0.15, "emergency": 0.25}, EMERGENCY),
    ({"crisis": 0.05, "emergency": 0.05, "distress": 0.8}, DISTRESS),
    ({"crisis": 0.05, "emergency": 0.05, "distress": 0.1}, NONE),
])
def test_risk_classifier_bands(risk, kind) -> None:
    signals = Signals(risk=risk, ml_intent="nlu_fallback")
    assert decide(signals, T).kind == kind


def test_a_negated_statement_needs_a_surer_classifier() -> None:
    signals = Signals(risk={"crisis": 0.7}, only_negated=True, ml_intent="faq")
    assert decide(signals, T).kind != CRISIS
    assert decide(replace(signals, risk={"crisis": 0.9}), T).kind == CRISIS


def test_the_intent_models_crisis_intent_is_a_further_net_when_the_risk_model_has_doubts() -> None:
    t = thresholds_from_config(get_settings().root / "config.yml")
    doubtful = {"benign": 0.7, "crisis": t.ml_crisis_risk_min, "emergency": 0.0, "distress": 0.05}
    assert decide(Signals(risk=doubtful, ml_crisis=0.6), t).kind == CRISIS
    assert decide(Signals(risk=doubtful, ml_crisis=0.6, only_negated=True), t).kind != CRISIS
    below = {**doubtful, "crisis": t.ml_crisis_risk_min - 0.01}
    assert decide(Signals(risk=below, ml_crisis=0.6), t).kind == POSSIBLE_RISK


def test_the_intent_models_crisis_intent_alone_is_a_check_in_not_a_crisis() -> None:
    # "my plants are all dying lol": the intent model's crisis guess, with
    # nothing behind it, was wrong far more often than right.
    t = thresholds_from_config(get_settings().root / "config.yml")
    assert decide(Signals(risk=BENIGN, ml_crisis=0.9), t).kind == POSSIBLE_RISK


@pytest.mark.parametrize("extra", [
    {},
    {"personal_rules": ("own_dose",)},
    {"illegal_rules": ("buy_ketamine",)},
    {"input_problem": "other_language", "language": "en"},
    {"input_problem": "other_language", "language": "es"},
    {"harm_terms": ("pills",)},
])
@pytest.mark.parametrize("risk", [
    # "I feel like such a burden to my family": the classifier sure of
    # distress, the intent model of crisis (independent review).
    {"benign": 0.01, "crisis": 0.02, "emergency": 0.0, "distress": 0.97},
    {"benign": 0.2, "crisis": 0.19, "emergency": 0.0, "distress": 0.61},
])
def test_the_intent_models_crisis_guess_beside_distress_still_checks_in(extra, risk) -> None:
    # At least the check-in (are you safe? 911, 988): never the distress reply
    # alone, a staff handoff, "I answer only in English" or no reply at all.
    t = thresholds_from_config(get_settings().root / "config.yml")
    assert decide(Signals(risk=risk, ml_crisis=0.9, **extra), t).kind == POSSIBLE_RISK
    assert decide(Signals(risk=risk, ml_crisis=0.35, **extra), t).kind == POSSIBLE_RISK


def test_without_risk_scores_the_intent_models_crisis_intent_counts_on_its_own() -> None:
    t = thresholds_from_config(get_settings().root / "config.yml")
    assert decide(Signals(risk={}, ml_crisis=0.6), t).kind == CRISIS


def test_harm_words_outside_a_clear_question_get_a_check_in() -> None:
    signals = Signals(risk=BENIGN, harm_terms=("rope",), ml_intent="faq", answer_id="about_history",
                      answer_confidence=0.3)
    decision = decide(signals, T)
    assert decision.kind == POSSIBLE_RISK and "harm gate" in decision.reason


def test_harm_words_in_a_clear_general_question_are_answered() -> None:
    signals = replace(QUESTION, harm_terms=("suicide",), answer_id="esketamine_suicidal_thoughts")
    assert decide(signals, T).kind == NONE


def test_harm_words_about_a_person_are_never_a_clear_question() -> None:
    signals = replace(QUESTION, harm_terms=("overdose",), about_a_person=True)
    assert not is_clear_question(signals, T)
    assert decide(signals, T).kind == POSSIBLE_RISK


def test_an_answer_with_dose_figures_is_never_given_to_a_question_about_harm() -> None:
    signals = replace(QUESTION, harm_terms=("lethal",), answer_has_dose=True)
    decision = decide(signals, T)
    assert decision.kind == POSSIBLE_RISK and decision.general_answer_id is None


def test_the_middle_risk_band_does_not_override_an_answerable_question() -> None:
    signals = replace(QUESTION, risk={"crisis": 0.4, "benign": 0.6})
    decision = decide(signals, T)
    assert decision.kind == NONE and not decision.clear_question


def test_distress_with_a_question_is_answered_and_without_one_gets_the_distress_reply() -> None:
    distressed = {"distress": 0.8, "crisis": 0.02, "emergency": 0.01}
    assert decide(replace(QUESTION, risk=distressed), T).kind == NONE
    assert decide(Signals(risk=distressed, ml_intent="nlu_fallback"), T).kind == DISTRESS


def test_illegal_outranks_personal_and_personal_carries_a_general_answer() -> None:
    assert decide(replace(QUESTION, illegal_rules=("buy",), personal_rules=("own_dose",)), T).kind == ILLEGAL
    decision = decide(replace(QUESTION, personal_rules=("own_medicines",)), T)
    assert decision.kind == PERSONAL and decision.general_answer_id == "cost_overview"


def test_a_personal_question_never_gets_an_answer_with_dose_figures_beside_it() -> None:
    decision = decide(replace(QUESTION, personal_rules=("own_dose",), answer_has_dose=True), T)
    assert decision.kind == PERSONAL and decision.general_answer_id is None


def test_a_dose_answer_to_a_question_about_a_person_goes_to_staff_without_it() -> None:
    decision = decide(replace(QUESTION, answer_has_dose=True, about_a_person=True), T)
    assert decision.kind == PERSONAL and decision.general_answer_id is None
    assert decide(replace(QUESTION, answer_has_dose=True), T).kind == NONE  # "what dose is usual?"


def test_the_intent_models_uncertain_crisis_guess_gets_a_check_in() -> None:
    assert decide(Signals(risk=BENIGN, ml_crisis=0.42, ml_intent="crisis"), T).kind == POSSIBLE_RISK


def test_input_problems_are_not_safety_kinds_but_risk_still_wins() -> None:
    assert decide(Signals(input_problem="emoji_only"), T).kind == NONE
    spanish = Signals(input_problem="other_language", language="es",
                      pattern_matches=(("other_languages", "crisis"),))
    decision = decide(spanish, T)
    assert decision.kind == CRISIS and decision.language == "es"


def test_the_decision_survives_the_round_trip_through_the_tracker() -> None:
    decision = decide(replace(QUESTION, risk={"crisis": 0.9}), T)
    assert SafetyDecision.from_dict(decision.as_dict()) == decision
    assert SafetyDecision.from_dict(None).kind == NONE
    assert SafetyDecision.from_dict({"kind": "bogus"}).kind == NONE


def test_thresholds_come_from_config_yml() -> None:
    configured = thresholds_from_config(get_settings().root / "config.yml")
    assert 0 < configured.possible_risk_threshold < configured.crisis_threshold <= 0.5
    assert configured.clear_question_risk_max < configured.possible_risk_threshold


def test_doubt_that_is_mostly_about_an_emergency_puts_911_first() -> None:
    signals = Signals(risk={"crisis": 0.3, "emergency": 0.4}, ml_intent="nlu_fallback")
    decision = decide(signals, T)
    assert decision.kind == EMERGENCY and "mostly emergency" in decision.reason


PAST = Signals(risk={"crisis": 0.9, "emergency": 0.01}, ml_intent="nlu_fallback", is_question=True,
               pattern_matches=(("suicidal_thoughts", "crisis"),), past_history=True)


def test_past_risk_asked_about_goes_to_staff_with_its_own_reply() -> None:
    decision = decide(PAST, T)
    assert decision.kind == PERSONAL and decision.past_history
    assert decision.general_answer_id is None and not decision.is_risk


@pytest.mark.parametrize("change", [
    {"is_question": False},  # told, not asked: a disclosure keeps the crisis reply
    {"past_history": False},
    {"pattern_matches": (("emergency_symptoms", "emergency"),)},
    {"risk": {"crisis": 0.1, "emergency": 0.8}},
])
def test_past_history_never_hides_a_disclosure_or_an_emergency(change) -> None:
    assert decide(replace(PAST, **change), T).is_risk


def test_spanish_distress_gets_the_distress_reply_not_the_other_language_reply() -> None:
    # "me siento muy sola, lloro todos los días": the distress reply exists in Spanish.
    distress = {"benign": 0.2, "crisis": 0.05, "emergency": 0.0, "distress": 0.75}
    spanish = Signals(risk=distress, input_problem="other_language", language="es")
    decision = decide(spanish, T)
    assert decision.kind == DISTRESS and decision.language == "es"
    # Another language still gets its own reply: there is no distress reply in it.
    assert decide(replace(spanish, language="en"), T).kind == NONE


def test_an_answerable_question_the_classifier_reads_as_crisis_gets_the_crisis_reply() -> None:
    # The sixth round's answerable band is gone: it cost a real crisis ("could
    # someone save them up") for two near misses on the development sets.
    signals = replace(QUESTION, risk={"crisis": 0.55, "emergency": 0.02, "benign": 0.4})
    assert decide(signals, T).kind == CRISIS


def test_a_check_in_context_gets_the_check_in_not_the_crisis_reply() -> None:
    signals = Signals(risk={"crisis": 0.93, "emergency": 0.0}, ml_intent="nlu_fallback",
                      check_in_context="safe storage as prevention")
    decision = decide(signals, T)
    assert decision.kind == POSSIBLE_RISK and decision.general_answer_id is None


def test_a_check_in_context_never_outweighs_a_crisis_pattern_or_an_emergency() -> None:
    context = "safe storage as prevention"
    signals = Signals(risk={"crisis": 0.93}, check_in_context=context,
                      pattern_matches=(("suicidal_thoughts", "crisis"),))
    assert decide(signals, T).kind == CRISIS
    assert decide(Signals(risk={"emergency": 0.9}, check_in_context=context), T).kind == EMERGENCY


def test_someone_elses_story_turns_crisis_patterns_into_the_check_in_never_an_emergency() -> None:
    told = Signals(risk={"crisis": 0.1}, check_in_context="someone else's story",
                   check_in_over_patterns=True,
                   pattern_matches=(("suicidal_thoughts", "crisis"), ("other_languages", "crisis")))
    assert decide(told, T).kind == POSSIBLE_RISK
    # The safety net sets check_in_over_patterns only for the groups the
    # context names (bot.safety.check_in_contexts.stands_over_patterns).
    assert decide(replace(told, check_in_over_patterns=False), T).kind == CRISIS
    # Two layers must agree: the classifier must see almost no risk.
    assert decide(replace(told, risk={"crisis": 0.25}), T).kind == CRISIS
    emergency = replace(told, pattern_matches=(("overdose", "emergency"),))
    assert decide(emergency, T).kind == EMERGENCY


def test_a_crisis_only_the_classifier_saw_read_as_more_distress_gets_the_check_in() -> None:
    # "not looking for pity. just tired of feeling like a stranger in my own
    # house" (eighteenth round): loneliness, not a reason for crisis mode.
    lonely = {"crisis": 0.6, "emergency": 0.0, "distress": 0.95}
    grief = Signals(risk=lonely, risk_at_peak=lonely, ml_intent="nlu_fallback")
    decision = decide(grief, T)
    assert decision.kind == POSSIBLE_RISK and "more distress than crisis" in decision.reason
    # More crisis (with emergency) than distress in the riskiest part, a
    # crisis score past the cap, or a second layer that saw it too keeps
    # the crisis reply.
    assert decide(replace(grief, risk_at_peak={"crisis": 0.5, "emergency": 0.1, "distress": 0.55}),
                  T).kind == CRISIS
    assert decide(replace(grief, risk={"crisis": 0.75, "distress": 0.9}), T).kind == CRISIS
    assert decide(replace(grief, pattern_matches=(("hopelessness", "crisis"),)), T).kind == CRISIS
    assert decide(replace(grief, harm_terms=("die",)), T).kind == CRISIS
    assert decide(replace(grief, ml_intent="crisis", ml_crisis=0.8), T).kind == CRISIS
    # Never an emergency.
    assert decide(replace(grief, risk={"emergency": 0.6, "distress": 0.9}), T).kind == EMERGENCY


def test_one_sad_sentence_never_excuses_another_sentences_crisis() -> None:
    """The review of the eighteenth round: the maxima pair one part's distress
    with another's crisis; the rule reads the riskiest part's own row."""
    mixed = Signals(risk={"crisis": 0.67, "emergency": 0.0, "distress": 0.98},
                    risk_at_peak={"crisis": 0.67, "emergency": 0.0, "distress": 0.05},
                    ml_intent="nlu_fallback")
    assert decide(mixed, T).kind == CRISIS
    # Without the row (no classifier part scores recorded) the rule never applies.
    assert decide(replace(mixed, risk_at_peak={}), T).kind == CRISIS


# A visitor plainly saying they are safe (bot.safety.safety_statement): the
# statement's own words are the message's only risk words (nineteenth round).
SAID_SAFE = Signals(risk={"benign": 0.1, "crisis": 0.9, "emergency": 0.0, "distress": 0.0},
                    ml_intent="crisis", ml_crisis=0.94, harm_terms=("suicidal",), says_safe=True)


def test_a_statement_of_safety_is_not_read_as_the_risk_it_denies() -> None:
    decision = decide(SAID_SAFE, T)
    assert decision.kind == NONE and decision.says_safe
    assert decide(replace(SAID_SAFE, says_safe=False), T).kind == CRISIS


def test_distress_still_counts_beside_a_statement_of_safety() -> None:
    # "no estoy en peligro, solo muy triste": the distress reply, not an
    # ordinary answer. (Only the risk layers are skipped: the safety net sets
    # says_safe only when nothing outside the statement is flagged.)
    distressed = replace(SAID_SAFE, risk={"benign": 0.1, "crisis": 0.2, "emergency": 0.0, "distress": 0.7})
    assert decide(distressed, T).kind == DISTRESS


def test_every_decision_records_whether_the_visitor_said_they_are_safe() -> None:
    assert not decide(QUESTION, T).says_safe
    assert SafetyDecision.from_dict(decide(SAID_SAFE, T).as_dict()).says_safe


def test_a_statement_with_more_counts_only_when_nothing_is_found() -> None:
    # "im safe, how much does a session cost?": read whole, as any message.
    assert decide(replace(QUESTION, says_safe_with_more=True), T).says_safe
    risky = replace(QUESTION, says_safe_with_more=True, risk={"benign": 0.1, "crisis": 0.9, "emergency": 0.0,
                                                             "distress": 0.0})
    decision = decide(risky, T)
    assert decision.kind == CRISIS and not decision.says_safe
    distressed = replace(risky, risk={"benign": 0.1, "crisis": 0.1, "emergency": 0.0, "distress": 0.8},
                         is_question=False)
    assert not decide(distressed, T).says_safe
    # Another language: never read as anything but its input problem.
    assert not decide(replace(QUESTION, says_safe_with_more=True, input_problem="other_language"), T).says_safe
