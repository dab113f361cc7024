"""Which bot messages belong to a turn, for replaying a retried one (bot/web/dedup.py)."""
from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

from bot.web.dedup import replies_to


def _user(message_id: str) -> UserUttered:
    return UserUttered("hi", message_id=message_id)


def test_a_turn_gets_the_messages_after_it_up_to_the_next_visitor_message() -> None:
    events = [_user("a"), BotUttered("one"), BotUttered("two", {"buttons": [{"title": "x", "payload": "/affirm"}]}),
              ActionExecuted("action_listen"), _user("b"), BotUttered("three")]
    assert replies_to(events, "a") == [{"text": "one"}, {"text": "two",
                                                         "buttons": [{"title": "x", "payload": "/affirm"}]}]
    assert replies_to(events, "b") == [{"text": "three"}]
    assert replies_to(events, "c") is None


def test_the_turn_that_started_the_session_gets_its_opening_messages_first() -> None:
    events = [ActionExecuted("action_session_start"), SessionStarted(), BotUttered("disclaimer"),
              ActionExecuted("action_listen"), _user("a"), BotUttered("answer"), _user("b")]
    assert replies_to(events, "a") == [{"text": "disclaimer"}, {"text": "answer"}]
    assert replies_to(events, "b") == []
    # However Rasa orders the session's opening events, they come before the first visitor message.
    events = [BotUttered("disclaimer"), SessionStarted(), ActionExecuted("action_listen"), _user("a"),
              BotUttered("answer")]
    assert replies_to(events, "a") == [{"text": "disclaimer"}, {"text": "answer"}]


def test_a_later_session_opens_with_its_disclaimer_as_rasa_stores_it() -> None:
    """As Rasa 3.6 stores it: the disclaimer between action_session_start and SessionStarted."""
    session = [ActionExecuted("action_session_start"), BotUttered("disclaimer"), SessionStarted(),
               ActionExecuted("action_listen")]
    events = [*session, _user("a"), BotUttered("answer"), ActionExecuted("action_listen"),
              *session, _user("b"), BotUttered("second answer")]
    assert replies_to(events, "a") == [{"text": "disclaimer"}, {"text": "answer"}]
    assert replies_to(events, "b") == [{"text": "disclaimer"}, {"text": "second answer"}]


def test_a_turn_that_was_not_saved_has_no_replies_to_replay() -> None:
    assert replies_to([], "a") is None
