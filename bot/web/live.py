"""The live handoff inside the Rasa server: the widget's side of a live chat.

bot/web/channel.py hands these functions a visitor's message while the
conversation has a live session, the "Chat with a staff member now" tap,
and the widget's long poll. The rules are in bot/handoff/live.py and the
state in the database, so whichever replica answers works the same.

Delivery is long polling (POST /widget/live): the widget asks "anything
after message N?", and the request returns as soon as there is, or after
LONG_POLL_SECONDS. Plain HTTP requests need no sticky sessions and pass
every proxy; server-sent events would hold one connection per visitor on
one replica and need proxy buffering turned off (README, "Live handoff").

What reaches the visitor is also written to Rasa's conversation store
(BotUttered events), so the transcript staff read later, the callback
queue and the retention purge see staff messages like any other.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered

from bot.dialogue.names import CRISIS_SLOT, UTTER_CRISIS
from bot.handoff import live
from bot.handoff.hours import HoursFile
from bot.handoff.store import flag_crisis
from bot.handoff.transcript import transcript_from_events
from bot.safety.decision import PARSE_DATA_KEY, POSSIBLE_RISK, SafetyDecision
from bot.settings import Settings
from bot.web.dedup import LIVE_KEPT_METADATA_KEY
from bot.clinic_file import ClinicFile

logger = logging.getLogger(__name__)
LONG_POLL_SECONDS = 20.0
POLL_INTERVAL_SECONDS = 0.3
# Sent if the crisis reply itself cannot be rendered: whatever else fails, this does not.
CRISIS_FALLBACK = {
    "text": "If you are in danger, call 911 or go to the nearest emergency room. Call or text 988 "
            "any time (en español: oprima 2, o envíe AYUDA al 988). You can also text HOME to 741741.",
    "custom": {"kind": "crisis"},
}


class LiveBridge:
    """One per Rasa server; holds only file readers, no chat state."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.hours = HoursFile(settings.clinic_file)
        self.clinic = ClinicFile(settings.clinic_file)
        self.messages_file = settings.root / "messages.yml"

    def notice(self, name: str, **values: str) -> Dict[str, Any]:
        return live.notice(self.messages_file, name, {**self.clinic.values(), **values})

    def offer(self) -> live.Offer:
        s = self.settings
        return live.offer(s.database_url, self.hours.hours(), s.live_chat_now, s.live_staff_seen_seconds)

    # --- the conversation store -------------------------------------------------------

    async def _append(self, agent: Agent, sender: str, events: List[Event]) -> None:
        async with agent.lock_store.lock(sender, wait_time_in_seconds=0.05):
            tracker = await agent.processor.get_tracker(sender)
            for event in events:
                tracker.update(event)
            await agent.processor.save_tracker(tracker)

    async def record_pending(self, agent: Agent, sender: str) -> None:
        """Write staff messages and notices not yet in the conversation store."""
        claimed = await asyncio.to_thread(live.claim_for_tracker, self.settings.database_url, sender)
        if claimed:
            await self._append(agent, sender, [_bot_uttered(message, at) for at, message in claimed])

    # --- the visitor taps "Chat with a staff member now" ------------------------------

    async def request(self, agent: Agent, sender: str) -> List[Dict[str, Any]]:
        db = self.settings.database_url
        current = await asyncio.to_thread(live.active_session, db, sender)
        if current is not None:
            return [self.notice("utter_live_waiting")] if current.state == live.WAITING else []
        offer = self.offer()
        if not offer.available:  # the last available person left since the offer
            sorry = self.notice("utter_live_unavailable", opening=live.unavailable_opening(offer))
            await self._append(agent, sender, [_bot_uttered(sorry)])
            return [sorry]
        tracker = await agent.processor.get_tracker(sender)
        events = [e.as_dict() for e in tracker.events]
        urgent = bool(tracker.get_slot(CRISIS_SLOT))
        waiting = self.notice("utter_live_waiting")
        session, message_id = await asyncio.to_thread(
            live.start, db, sender, reason="crisis" if urgent else _reason(events), urgent=urgent,
            transcript=transcript_from_events(events), wait_seconds=self.settings.live_wait_seconds,
            waiting_notice=waiting)
        # A callback form the visitor was in stops: staff take it from here.
        closing: List[Event] = []
        if tracker.active_loop_name:
            closing = [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]
        await self._append(agent, sender, [*closing, _bot_uttered(waiting)])
        waiting.setdefault("custom", {})["live_id"] = message_id
        return [waiting]

    # --- a visitor's message while a live session is open ------------------------------

    async def visitor_message(self, agent: Agent, session: Any, text: str, metadata: Dict[str, Any],
                              answer: Callable[[], Awaitable[List[Dict[str, Any]]]],
                              message_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """The assistant stays silent, except that the crisis net runs on every message.

        Waiting for staff, a risk message gets the assistant's crisis reply at
        once (answer(): the normal Rasa turn). With a staff member in the chat,
        the staff member is alerted and the crisis reply follows after
        LIVE_CRISIS_REPLY_SECONDS unless they answer first (see poll()). A
        possible-risk message alerts staff and gets the assistant's check-in
        (are you safe? 911, 988) at once, in either state: silence is the one
        reply it must never get (independent review, twelfth round).

        message_id (the widget's id of the turn) goes on the kept message, so
        a retry of it is recognised (bot/web/dedup.py, replies_of_kept_turn).
        """
        db, sender = self.settings.database_url, session.conversation_id
        await self.record_pending(agent, sender)
        try:
            parse_data = await agent.processor.parse_message(
                UserMessage(text, sender_id=sender, input_channel="widget", metadata=metadata))
            decision = SafetyDecision.from_dict(parse_data.get(PARSE_DATA_KEY))
            risk, check_in = decision.is_risk, decision.kind == POSSIBLE_RISK
        except Exception:  # noqa: BLE001  if we cannot tell, the assistant answers as usual
            logger.exception("Safety screen during a live chat failed; the assistant answers")
            await asyncio.to_thread(live.visitor_wrote, db, session, live.visitor_words(text), True,
                                    self.settings.live_crisis_reply_seconds)
            return await answer()
        try:
            await asyncio.to_thread(live.visitor_wrote, db, session, live.visitor_words(text), risk,
                                    self.settings.live_crisis_reply_seconds, possible_risk=check_in)
            if check_in or (risk and session.state == live.WAITING):
                return await answer()
            await self._append(agent, sender, [
                UserUttered(text, parse_data.get("intent"), parse_data.get("entities"), parse_data,
                            input_channel="widget", message_id=message_id,
                            metadata={**metadata, LIVE_KEPT_METADATA_KEY: True}),
                ActionExecuted(ACTION_LISTEN_NAME),
            ])
        except Exception:  # noqa: BLE001  the live chat is broken: the assistant answers
            logger.exception("A live chat message could not be kept; the assistant answers")
            return await answer()
        if risk:
            tracker = await agent.processor.get_tracker(sender)
            await asyncio.to_thread(self._flag, sender, [e.as_dict() for e in tracker.events])
        return []

    def _flag(self, sender: str, events: List[Dict[str, Any]]) -> None:
        try:
            flag_crisis(self.settings.database_url, sender, transcript_from_events(events))
        except Exception:  # noqa: BLE001  the staff member on screen has the alert
            logger.exception("Could not store the crisis flag of a live chat")

    # --- the widget's long poll ---------------------------------------------------------

    async def poll(self, agent: Agent, sender: str, after: int, typing_shown: bool) -> Dict[str, Any]:
        """Messages for the visitor after `after`; waits up to LONG_POLL_SECONDS for one."""
        db = self.settings.database_url
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LONG_POLL_SECONDS
        while True:
            view = await asyncio.to_thread(live.visitor_view, db, sender, after)
            if view.session_id is not None and view.crisis_due:
                await self._send_due_crisis(agent, view.session_id, sender)
            if view.waiting_expired and view.session_id is not None:
                await asyncio.to_thread(live.claim_unanswered, db, view.session_id,
                                        self.notice("utter_live_unanswered"))
            if view.crisis_due or view.waiting_expired:
                view = await asyncio.to_thread(live.visitor_view, db, sender, after)
            if view.messages:
                await self.record_pending(agent, sender)
            if view.messages or view.typing != typing_shown or view.state not in live.ACTIVE \
                    or loop.time() >= deadline:
                return {"state": view.state, "messages": view.messages, "typing": view.typing}
            await asyncio.sleep(POLL_INTERVAL_SECONDS)

    async def _send_due_crisis(self, agent: Agent, session_id: int, sender: str) -> None:
        """Nobody answered the crisis message in time: the assistant's crisis reply, once."""
        db = self.settings.database_url
        if not await asyncio.to_thread(live.claim_due_crisis, db, session_id):
            return
        message = CRISIS_FALLBACK
        try:
            tracker = await agent.processor.get_tracker(sender)
            rendered = await agent.processor.nlg.generate(UTTER_CRISIS, tracker, "widget")
            if rendered and rendered.get("text"):
                message = rendered
        except Exception:  # noqa: BLE001  the fixed crisis text goes out instead
            logger.exception("The crisis reply of a live chat could not be rendered")
        session = await asyncio.to_thread(live.get, db, session_id)
        await asyncio.to_thread(live.add_message, db, session, live.ASSISTANT, message, True)
        try:
            await self._append(agent, sender, [_bot_uttered(message), SlotSet(CRISIS_SLOT, True)])
        except Exception:  # noqa: BLE001  the visitor gets it anyway
            logger.exception("The crisis reply of a live chat is not in the conversation store")


def _bot_uttered(message: Dict[str, Any], at: Optional[dt.datetime] = None) -> BotUttered:
    data = {key: message[key] for key in ("buttons", "custom") if message.get(key)}
    if at is None:
        return BotUttered(message.get("text"), data)
    stamp = at.replace(tzinfo=dt.timezone.utc).timestamp()
    return BotUttered(message.get("text"), data, timestamp=stamp)


def _reason(events: List[Dict[str, Any]]) -> str:
    """Why the visitor asked for a person: the latest handoff intent."""
    for event in reversed(events):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if event.get("event") == "user" and intent in ("personal_question", "request_human"):
            return intent
    return "request_human"
