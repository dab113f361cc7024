"""The safety policy on hand-built trackers: no model, no server.

Each test states a conversation as Rasa events, the way financial-demo's
tests do with tracker fixtures, and checks the one action the policy must
predict next.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, ActiveLoop, BotUttered, SlotSet,
                                     UserUttered)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.dialogue.safety_policy import next_safety_action
from bot.settings import get_settings

DOMAIN = Domain.load(str(get_settings().root / "domain.yml"))


def user(intent: str, kind: str = "none", clear: bool = False, text: str = "...",
         about: bool = False, says_safe: bool = False) -> List[Any]:
    parse_data = {"intent": {"name": intent, "confidence": 1.0}, "entities": [],
                  "safety": {"kind": kind, "reason": "test", "language": "en",
                             "general_answer_id": None, "clear_question": clear,
                             "about_a_person": about, "says_safe": says_safe}}
    return [ActionExecuted("action_listen"), UserUttered(text, parse_data["intent"], [], parse_data)]


def bot(action: str, kind: str, variant: Optional[str] = None) -> List[Any]:
    custom: Dict[str, Any] = {"kind": kind}
    if variant:
        custom["variant"] = variant
    return [ActionExecuted(action), BotUttered(f"{action} {variant}", {"custom": custom})]


def crisis_reply(variant: Optional[str] = None) -> List[Any]:
    return [SlotSet("crisis_flagged", True), *bot("utter_crisis", "crisis", variant),
            ActionExecuted("action_flag_crisis")]


def said_safe() -> List[Any]:
    return [*user("affirm"), *bot("utter_crisis_safe", "crisis", "safe")]


def said_not_safe() -> List[Any]:
    return [*user("deny"), *bot("utter_crisis_not_safe", "crisis", "not_safe"),
            ActionExecuted("action_flag_crisis")]


def tracker(*steps: List[Any]) -> DialogueStateTracker:
    events = [event for step in steps for event in step]
    return DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)


def action(t: DialogueStateTracker) -> Optional[str]:
    return next_safety_action(t)[0]


def test_a_crisis_decision_gets_the_crisis_reply_and_sets_crisis_mode() -> None:
    name, events = next_safety_action(tracker(user("faq", kind="crisis")))
    assert name == "utter_crisis"
    assert SlotSet("crisis_flagged", True) in events


def test_an_emergency_gets_the_crisis_reply_too() -> None:
    assert action(tracker(user("faq", kind="emergency"))) == "utter_crisis"


def test_the_crisis_reply_closes_an_open_form() -> None:
    t = tracker(user("request_human"), [ActiveLoop("callback_form")], user("faq", kind="crisis"))
    name, events = next_safety_action(t)
    assert name == "utter_crisis" and ActiveLoop(None) in events


def test_after_the_crisis_reply_the_flag_follows_then_listening() -> None:
    t = tracker(user("faq", kind="crisis"), [SlotSet("crisis_flagged", True)], bot("utter_crisis", "crisis"))
    assert action(t) == "action_flag_crisis"


@pytest.mark.parametrize("intent, expected", [("affirm", "utter_crisis_safe"),
                                               ("deny", "utter_crisis_not_safe")])
def test_yes_or_no_to_are_you_safe(intent, expected) -> None:
    assert action(tracker(user("faq", kind="crisis"), crisis_reply(), user(intent))) == expected


@pytest.mark.parametrize("intent", ["greet", "thanks", "goodbye", "nlu_fallback", "out_of_scope",
                                    "personal_question"])
def test_crisis_mode_answers_everything_unclear_with_the_crisis_mode_reply(intent) -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("affirm"),
                bot("utter_crisis_safe", "crisis"), user(intent))
    assert action(t) == "utter_crisis"


def test_crisis_mode_answers_an_unclear_faq_guess_with_the_crisis_mode_reply() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("faq", clear=False))
    assert action(t) == "utter_crisis"


def test_crisis_mode_answers_a_clear_question_once_the_visitor_said_they_are_safe() -> None:
    # "how much is it anyway" after "i have the pills here": "are you safe?" first.
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("faq", clear=True))
    assert action(t) == "utter_crisis"
    t = tracker(user("faq", kind="crisis"), crisis_reply(), said_safe(), user("faq", clear=True))
    assert action(t) is None  # the rules answer it; the NLG attaches the crisis resources


def test_crisis_mode_answers_a_question_about_someone_with_the_crisis_mode_reply() -> None:
    # "what do I even say if I text that number", "can I still book for him":
    # a question about someone may be about the crisis itself.
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("faq", clear=True, about=True))
    assert action(t) == "utter_crisis"


def test_after_saying_they_are_safe_the_visitor_may_ask_about_themselves() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), said_safe(),
                user("faq", clear=True, about=True))
    assert action(t) is None


def test_a_question_about_someone_after_an_emergency_reply_gets_the_crisis_mode_reply() -> None:
    # H37: "should i drive him to st lukes or call" after chest pain and a
    # numb arm; "yes I'm safe" says nothing about the person in danger.
    for variant in ("emergency", "emergency_mode"):
        t = tracker(user("faq", kind="emergency"), crisis_reply(variant),
                    user("faq", clear=True, about=True))
        assert action(t) == "utter_crisis"
        t = tracker(user("faq", kind="emergency"), crisis_reply(variant), said_safe(),
                    user("faq", clear=True, about=True))
        assert action(t) == "utter_crisis"


def test_after_an_emergency_reply_a_general_question_waits_until_the_visitor_is_safe() -> None:
    # "is chest tightness a normal side effect?" must not read as a
    # judgement of the symptoms that got the emergency reply.
    t = tracker(user("faq", kind="emergency"), crisis_reply("emergency"), user("faq", clear=True))
    assert action(t) == "utter_crisis"
    t = tracker(user("faq", kind="emergency"), crisis_reply("emergency"), said_safe(),
                user("faq", clear=True))
    assert action(t) is None


def test_only_a_safe_answer_since_the_latest_crisis_reply_counts() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), said_safe(),
                user("faq", kind="crisis"), crisis_reply("crisis_mode"),
                user("faq", clear=True, about=True))
    assert action(t) == "utter_crisis"


def test_only_the_latest_crisis_reply_says_whether_it_is_an_emergency() -> None:
    # An emergency, then a crisis: the crisis-mode rules, not the emergency's.
    t = tracker(user("faq", kind="emergency"), crisis_reply("emergency"),
                user("faq", kind="crisis"), crisis_reply("crisis_mode"), said_safe(),
                user("faq", clear=True, about=True))
    assert action(t) is None


def test_ok_after_the_not_safe_reply_is_not_taken_as_safe() -> None:
    # "Please call 911 now" asks nothing: "ok, calling" must not get "I'm
    # glad you're safe", nor open crisis mode to questions about someone.
    t = tracker(user("faq", kind="crisis"), crisis_reply(), said_not_safe(), user("affirm"))
    assert action(t) == "utter_crisis"
    t = tracker(user("faq", kind="crisis"), crisis_reply(), said_not_safe(),
                user("faq", clear=True, about=True))
    assert action(t) == "utter_crisis"


def test_crisis_mode_lets_the_visitor_ask_for_staff_and_fill_the_form() -> None:
    asked = tracker(user("faq", kind="crisis"), crisis_reply(), user("request_human"))
    assert action(asked) is None
    filling = tracker(user("faq", kind="crisis"), crisis_reply(), user("request_human"),
                      [ActiveLoop("callback_form")], user("nlu_fallback", text="Dana"))
    assert action(filling) is None


def test_distress_and_possible_risk_get_their_fallback_variants() -> None:
    assert action(tracker(user("nlu_fallback", kind="distress"))) == "utter_fallback"
    assert action(tracker(user("nlu_fallback", kind="possible_risk"))) == "utter_fallback"


def test_not_okay_after_a_check_in_gets_the_crisis_reply() -> None:
    t = tracker(user("nlu_fallback", kind="possible_risk"),
                bot("utter_fallback", "fallback", "possible_crisis"), user("deny"))
    assert action(t) == "utter_crisis"


def test_safe_after_a_check_in_goes_back_to_questions() -> None:
    t = tracker(user("nlu_fallback", kind="possible_risk"),
                bot("utter_fallback", "fallback", "possible_crisis"), user("affirm"))
    assert action(t) is None  # the "yes out of context" rule: what else would you like to know


def test_an_intent_alone_never_makes_a_crisis() -> None:
    assert action(tracker(user("crisis", kind="none"))) is None


def test_ordinary_messages_are_left_to_the_rules() -> None:
    assert action(tracker(user("faq", clear=True))) is None
    assert action(tracker(user("greet"))) is None
    assert action(tracker(user("deny"))) is None


# The visitor says they are safe in their own words (nineteenth round):
# "no no im not suicidal lol", whatever the intent model made of its "no".
@pytest.mark.parametrize("intent", ["deny", "affirm", "nlu_fallback", "faq"])
def test_saying_they_are_safe_in_crisis_mode_gets_the_safe_reply(intent) -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user(intent, says_safe=True))
    assert action(t) == "utter_crisis_safe"


def test_saying_they_are_safe_later_in_crisis_mode_counts_too() -> None:
    # Not only straight after "Are you safe right now?".
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("greet"), crisis_reply("crisis_mode"),
                user("nlu_fallback", says_safe=True))
    assert action(t) == "utter_crisis_safe"


def test_a_clear_question_with_a_statement_of_safety_is_answered() -> None:
    # "im safe, i was just asking about the price": answered, with the
    # crisis resources attached by the NLG.
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("faq", clear=True, says_safe=True))
    assert action(t) is None


def test_after_a_typed_statement_of_safety_the_next_clear_question_is_answered() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("faq", clear=True, says_safe=True),
                bot("utter_faq", "answer"), user("faq", clear=True))
    assert action(t) is None


def test_a_new_crisis_reply_needs_a_new_statement_of_safety() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("nlu_fallback", says_safe=True),
                bot("utter_crisis_safe", "crisis", "safe"), user("faq", kind="crisis"),
                crisis_reply("crisis_mode"), user("faq", clear=True))
    assert action(t) == "utter_crisis"


def test_saying_it_twice_never_repeats_the_safe_reply() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), said_safe(), user("thanks", says_safe=True))
    assert action(t) == "utter_crisis"


def test_a_statement_of_safety_with_risk_keeps_the_crisis_reply() -> None:
    # The safety net never sets says_safe beside risk; if a decision did
    # carry both, the risk wins.
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("deny", kind="crisis", says_safe=True))
    assert action(t) == "utter_crisis"


def test_no_im_not_suicidal_after_a_check_in_is_not_a_crisis() -> None:
    check_in = bot("utter_fallback", "fallback", "possible_crisis")
    t = tracker(user("nlu_fallback", kind="possible_risk"), check_in, user("deny", says_safe=True))
    assert action(t) is None
    t = tracker(user("nlu_fallback", kind="possible_risk"), check_in, user("deny"))
    assert action(t) == "utter_crisis"


# The independent review of the nineteenth round.
def test_own_words_do_not_count_after_an_emergency_reply() -> None:
    # "i'm safe. can he just sleep it off at home?" says nothing about him.
    t = tracker(user("faq", kind="emergency"), crisis_reply("emergency"), user("faq", says_safe=True))
    assert action(t) == "utter_crisis"
    t = tracker(user("faq", kind="emergency"), crisis_reply("emergency"),
                user("faq", clear=True, says_safe=True))
    assert action(t) == "utter_crisis"


def test_own_words_do_not_count_after_the_not_safe_reply() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), said_not_safe(),
                user("faq", clear=True, says_safe=True))
    assert action(t) == "utter_crisis"


@pytest.mark.parametrize("kind", ["distress", "personal", "illegal", "possible_risk"])
def test_a_statement_of_safety_beside_anything_of_concern_gets_the_crisis_mode_reply(kind) -> None:
    # "i'm not suicidal, i just feel like such a burden" is distress: the
    # crisis-mode reply, not "I'm glad you're safe".
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("nlu_fallback", kind=kind, says_safe=True))
    assert action(t) == "utter_crisis"
