"""A retried turn is never processed twice.

With several Rasa replicas behind nginx, a replica can die while a turn is in
flight: the visitor's request fails (502), although the turn may or may not
have been processed and saved. The widget then sends the same turn again,
with the same `message_id` and `retry: true`. Rasa stores that id on the
visitor's message (UserUttered.message_id) in the shared tracker store, and
saves a turn's events together at its end, so the tracker says which case it
was:

- the id is there: the turn was processed; the replies it got are sent again
  (the BotUttered events after it), and nothing is processed;
- it is not: the turn is processed now.

The check runs under the conversation's lock (Redis in the cluster), the
same lock Rasa's Agent.handle_message takes, so a retry that arrives while
the first attempt is still being processed waits for it and then finds it.
Only retries pay for the extra tracker read; a first attempt has a fresh id
and cannot be a duplicate.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered

REPLY_KEYS = ("buttons", "custom", "quick_replies", "image", "attachment", "elements")


def _as_reply(event: BotUttered) -> Dict[str, Any]:
    data = event.data or {}
    return {"text": event.text or "", **{k: data[k] for k in REPLY_KEYS if data.get(k)}}


def replies_to(events: List[Any], message_id: str) -> Optional[List[Dict[str, Any]]]:
    """The bot messages the visitor got for the turn with message_id, or None
    if no visitor message with that id is in events.

    A turn that starts a session first gets the session's opening messages
    (the disclaimer), which Rasa stores before the visitor's message: every
    bot message before the first visitor message, or since a session start
    (Rasa stores the disclaimer between ActionExecuted(action_session_start)
    and SessionStarted).
    """
    opening: Optional[List[Dict[str, Any]]] = []  # bot messages since the start or a session start
    replies: Optional[List[Dict[str, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = opening or []
            opening = None
        elif isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            if replies is not None:
                break
            opening = []  # the disclaimer follows, before SessionStarted
        elif isinstance(event, SessionStarted):
            if replies is not None:
                break
            if opening is None:
                opening = []
        elif isinstance(event, BotUttered):
            if replies is not None:
                replies.append(_as_reply(event))
            elif opening is not None:
                opening.append(_as_reply(event))
    return replies


# Set on a visitor message the live bridge kept for staff (bot/web/live.py)
# rather than one the assistant answered: such a turn had no replies of its own
# (staff messages that follow it reach the visitor through the live poll).
LIVE_KEPT_METADATA_KEY = "live_chat_message"


def _turn_with_id(events: List[Any], message_id: str) -> Optional[UserUttered]:
    return next((e for e in events if isinstance(e, UserUttered) and e.message_id == message_id), None)


async def replies_of_kept_turn(agent: Any, sender: str, message_id: str) -> Optional[List[Dict[str, Any]]]:
    """For a retry during a live chat: None if the turn with message_id is not
    in the tracker yet (process it), else the replies to send again: none for
    a message kept for staff, the assistant's replies (a crisis reply while
    waiting for staff) for one the assistant answered.

    Read without the conversation's lock: the live bridge takes that lock
    itself to keep the message. A retry that arrives while its first attempt
    is still being kept can therefore reach staff twice; a duplicate is the
    safe side (dropping it could lose a visitor's words to staff).
    """
    tracker = await agent.tracker_store.retrieve_full_tracker(sender)
    events = list(tracker.events) if tracker else []
    turn = _turn_with_id(events, message_id)
    if turn is None:
        return None
    if (turn.metadata or {}).get(LIVE_KEPT_METADATA_KEY):
        return []
    return replies_to(events, message_id) or []


async def handle_retry(agent: Any, message: UserMessage, output: OutputChannel) -> bool:
    """Process message unless its id was processed already; then resend its replies.

    True when the turn had already been processed (and was not processed again).
    """
    async with agent.lock_store.lock(message.sender_id):
        # The full tracker: Rasa's SQL store's `retrieve` starts at the last
        # SessionStarted, after the session's opening messages.
        tracker = await agent.tracker_store.retrieve_full_tracker(message.sender_id)
        earlier = replies_to(list(tracker.events), message.message_id) if tracker else None
        if earlier is not None:
            for reply in earlier:
                await output.send_response(message.sender_id, reply)
            return True
        await agent.processor.handle_message(message)
        return False
