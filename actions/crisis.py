"""After the crisis response has been sent: flag the conversation for staff."""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.abuse_limits import CRISIS_FLAG_WINDOW_MINUTES, abuse_limits, client_of_tracker
from bot.handoff.notify import notify_staff
from bot.handoff.store import flag_crisis
from bot.handoff.transcript import transcript_from_events
from bot.settings import get_settings

logger = logging.getLogger(__name__)


class ActionFlagCrisis(Action):
    def name(self) -> Text:
        return "action_flag_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        settings = get_settings()
        try:
            flagged = flag_crisis(
                settings.database_url, tracker.sender_id, transcript_from_events(tracker.events),
                # Grouping by client is an abuse limit: off with the others
                # (RATE_LIMITS=off, for tests and load runs from one address).
                client_key=client_of_tracker(tracker) if abuse_limits().enabled else None,
                window=dt.timedelta(minutes=CRISIS_FLAG_WINDOW_MINUTES),
            )
        except Exception:  # noqa: BLE001  the visitor already has the crisis response
            logger.exception("Could not store the crisis flag for %s", tracker.sender_id)
            return []
        # One webhook per urgent entry: later crisis messages of the conversation,
        # and other conversations from the same client, join it silently.
        if flagged.new:
            await notify_staff(settings.staff_webhook_url, flagged.reference, "crisis_flag", urgent=True)
        return []
