"""The callback form: check what the visitor typed, then save it durably."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.abuse_limits import abuse_limits, client_of_tracker
from bot.handoff.contact import clean_first_name, parse_contact
from bot.handoff.notify import notify_staff
from bot.handoff.store import CallbackRequest, mark_notified, save_callback
from bot.handoff.transcript import transcript_from_events
from bot.settings import get_settings

logger = logging.getLogger(__name__)
FORM_SLOTS = ("callback_name", "callback_contact", "callback_time", "callback_consent")
MAX_TIME_LENGTH = 120


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_form"

    def validate_callback_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        name = clean_first_name(str(value or ""))
        if name is None:
            dispatcher.utter_message(response="utter_invalid_name")
        return {"callback_name": name}

    def validate_callback_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        contact = parse_contact(str(value or ""))
        if contact is None:
            dispatcher.utter_message(response="utter_invalid_contact")
            return {"callback_contact": None}
        return {"callback_contact": contact.value}

    def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        text = " ".join(str(value or "").split())
        if not text or len(text) > MAX_TIME_LENGTH:
            dispatcher.utter_message(response="utter_invalid_time")
            return {"callback_time": None}
        return {"callback_time": text}


class _AskAction(Action):
    """Asks for one form slot; the prompt text lives in messages.yml."""

    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


class ActionAskCallbackName(_AskAction):
    slot = "callback_name"


class ActionAskCallbackContact(_AskAction):
    slot = "callback_contact"


class ActionAskCallbackTime(_AskAction):
    slot = "callback_time"


class ActionAskCallbackConsent(_AskAction):
    slot = "callback_consent"


class ActionSubmitCallback(Action):
    """Confirms only after the request is committed; otherwise says to phone."""

    def name(self) -> Text:
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS]
        request = _request_from(tracker)
        if request is None:
            dispatcher.utter_message(response="utter_no_callback")
            return reset
        # A stranger must not be able to make the clinic phone people at will.
        limits = abuse_limits()
        client = client_of_tracker(tracker) or tracker.sender_id
        if (limits.hit("callbacks_per_conversation", tracker.sender_id)
                or limits.hit("callbacks_per_client", client)):
            dispatcher.utter_message(response="utter_callback_limited")
            return reset
        settings = get_settings()
        try:
            reference = save_callback(settings.database_url, request)
        except Exception:  # noqa: BLE001  any failure means: do not confirm
            logger.exception("Callback request not saved for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_callback_failed")
            return reset
        dispatcher.utter_message(response="utter_callback_saved", reference=reference)
        if await notify_staff(settings.staff_webhook_url, reference, "callback", request.urgent):
            try:
                mark_notified(settings.database_url, reference)
            except Exception:  # noqa: BLE001  the request itself is safe
                logger.exception("Could not record the notification of %s", reference)
        return reset


def _request_from(tracker: Tracker) -> Optional[CallbackRequest]:
    name, contact, time, consent = (tracker.get_slot(s) for s in FORM_SLOTS)
    if consent is not True or not (name and contact and time):
        return None
    return CallbackRequest(
        conversation_id=tracker.sender_id,
        first_name=name,
        contact=contact,
        contact_kind="email" if "@" in contact else "phone",
        preferred_time=time,
        consent=True,
        reason=_reason(tracker),
        urgent=bool(tracker.get_slot("crisis_flagged")),
        transcript=transcript_from_events(tracker.events),
    )


def _reason(tracker: Tracker) -> str:
    """Why the visitor asked: the first handoff intent in the conversation."""
    for event in tracker.events:
        intent = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if event.get("event") == "user" and intent in ("personal_question", "request_human", "nlu_fallback"):
            return intent
    return "request_human"
