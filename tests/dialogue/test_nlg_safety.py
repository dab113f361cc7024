"""The NLG's safety variations: which text a safety reply takes, in which language."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

from rasa.shared.core.events import BotUttered

from bot.dialogue.messages import pick_variation
from bot.dialogue.nlg import ContentNLG
from tests.dialogue.test_safety_policy import DOMAIN, crisis_reply, tracker, user

NLG = ContentNLG(domain=DOMAIN)


def render(name: str, t) -> Dict[str, Any]:  # noqa: ANN001
    """NLG.generate in a thread of its own: the browser tests' Playwright may
    have left an event loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, NLG.generate(name, t, "rest")).result()


def test_the_first_crisis_reply_is_the_full_one_with_every_resource() -> None:
    reply = render("utter_crisis", tracker(user("faq", kind="crisis")))
    for resource in ("911", "988", "741741", "Are you safe right now?"):
        assert resource in reply["text"]
    assert reply["custom"]["kind"] == "crisis" and "variant" not in reply["custom"]


def test_an_emergency_leads_with_911() -> None:
    reply = render("utter_crisis", tracker(user("faq", kind="emergency")))
    assert reply["custom"]["variant"] == "emergency"
    assert reply["text"].index("911") < 60


def test_crisis_mode_replies_take_turns_and_never_repeat_straight_after() -> None:
    steps: List[Any] = [user("faq", kind="crisis"), crisis_reply()]
    sent = []
    for _ in range(8):
        steps.append(user("thanks"))
        reply = render("utter_crisis", tracker(*steps))
        assert reply["custom"]["variant"] == "crisis_mode"
        assert "988" in reply["text"] and "911" in reply["text"]
        sent.append(reply["text"])
        steps.append([BotUttered(reply["text"], {"custom": reply["custom"]})])
    assert all(a != b for a, b in zip(sent, sent[1:]))
    assert len(set(sent)) >= 4


def test_after_an_emergency_reply_crisis_mode_stays_about_the_emergency() -> None:
    # H37: "should i drive him or call" after chest pain needs 911, not
    # questions about the visitor's own safety.
    for language in ("en", "es"):
        steps: List[Any] = [user("faq", kind="emergency"), crisis_reply("emergency")]
        sent = []
        for _ in range(4):
            steps.append(user("faq", clear=True, about=True))
            latest = steps[-1][-1]
            latest.parse_data["safety"]["language"] = language
            reply = render("utter_crisis", tracker(*steps))
            assert reply["custom"]["variant"] == "emergency_mode"
            assert reply["custom"].get("language", "en") == language and "911" in reply["text"]
            sent.append(reply["text"])
            steps.append([BotUttered(reply["text"], {"custom": reply["custom"]})])
        assert all(a != b for a, b in zip(sent, sent[1:]))


def test_risk_or_distress_of_another_kind_after_an_emergency_gets_the_crisis_mode_reply() -> None:
    # "i don't want to be here without him" after his chest pain: "are you safe?", not "call 911".
    for kind in ("crisis", "possible_risk", "distress"):
        t = tracker(user("faq", kind="emergency"), crisis_reply("emergency"), user("faq", kind=kind))
        assert render("utter_crisis", t)["custom"]["variant"] == "crisis_mode", kind


def test_the_answer_to_are_you_safe_does_not_end_the_emergency_mode() -> None:
    from tests.dialogue.test_safety_policy import said_not_safe, said_safe

    for answer in (said_safe, said_not_safe):
        t = tracker(user("faq", kind="emergency"), crisis_reply("emergency"), answer(),
                    user("faq", clear=True, about=True))
        assert render("utter_crisis", t)["custom"]["variant"] == "emergency_mode"


def test_a_spanish_visitor_gets_the_spanish_crisis_reply() -> None:
    t = tracker(user("crisis", kind="crisis"))
    t.latest_message.parse_data["safety"]["language"] = "es"
    reply = render("utter_crisis", t)
    assert reply["custom"]["language"] == "es"
    assert "AYUDA" in reply["text"] and "marcar 2" in reply["text"] and "911" in reply["text"]


def test_distress_and_check_in_variants() -> None:
    distress = render("utter_fallback", tracker(user("nlu_fallback", kind="distress")))
    assert distress["custom"]["variant"] == "distress" and "988" in distress["text"]
    check_in = render("utter_fallback", tracker(user("nlu_fallback", kind="possible_risk")))
    assert check_in["custom"]["variant"] == "possible_crisis"
    assert "911" in check_in["text"] and "988" in check_in["text"]


def test_every_distress_reply_gives_988_741741_and_911() -> None:
    # A distress reply may reach someone whose risk no layer saw.
    replies = [r for r in DOMAIN.responses["utter_fallback"]
               if (r.get("custom") or {}).get("variant") == "distress"]
    assert len(replies) >= 3 and any((r.get("custom") or {}).get("language") == "es" for r in replies)
    for reply in replies:
        for resource in ("988", "741741", "911"):
            assert resource in reply["text"], (resource, reply["text"])


def test_an_answer_in_crisis_mode_keeps_the_crisis_resources() -> None:
    t = tracker(user("faq", kind="crisis"), crisis_reply(), user("faq", clear=True))
    answer = NLG.answer("cost_overview", t)
    assert answer["custom"]["kind"] == "answer" and "988" in answer["custom"]["crisis_resources"]
    assert answer["custom"]["related"] == []


def test_pick_variation_falls_back_to_english_then_to_the_plain_variation() -> None:
    variations = [{"text": "plain"}, {"text": "a", "custom": {"variant": "v"}},
                  {"text": "b", "custom": {"variant": "v"}}]
    assert pick_variation(variations, "v", "es")["text"] == "a"
    assert pick_variation(variations, "v", "en", avoid_text="a")["text"] == "b"
    assert pick_variation(variations, "missing")["text"] == "plain"


def test_every_reply_with_the_are_you_safe_buttons_asks_it() -> None:
    # A typed "yes" to such a reply counts as "yes, I'm safe", which lets
    # questions be answered again (safety_policy.may_leave_crisis_mode). The
    # emergency-mode texts once showed the buttons without asking, and "yes"
    # to "is there someone who can be with you?" counted as safe.
    for name, variations in DOMAIN.responses.items():
        for variation in variations:
            titles = " ".join(button["title"] for button in variation.get("buttons") or [])
            crisis = (variation.get("custom") or {}).get("kind") == "crisis"
            if crisis and ("I'm safe" in titles or "a salvo" in titles):
                text = variation["text"]
                last_question = text.replace("¿", "").split("?")[-2] if "?" in text else ""
                assert "safe" in last_question or "a salvo" in last_question, (name, text)


def test_the_answers_to_are_you_safe_are_in_the_visitors_language() -> None:
    # "Sí, estoy a salvo" (tapped or typed) got the English reply: the two
    # replies have no variation without a variant to fall back on, and the
    # fallback took the first, English, one (nineteenth round).
    for name, words in (("utter_crisis_safe", "Me alegra"), ("utter_crisis_not_safe", "Por favor")):
        t = tracker(user("crisis", kind="crisis"), crisis_reply(), user("affirm"))
        t.latest_message.parse_data["safety"]["language"] = "es"
        reply = render(name, t)
        assert reply["custom"].get("language") == "es" and words in reply["text"], name
        t.latest_message.parse_data["safety"]["language"] = "en"
        assert render(name, t)["custom"].get("language", "en") == "en", name
