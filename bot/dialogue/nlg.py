"""Renders every message the assistant sends, at the moment it sends it.

Rasa calls this for each response. Curated answers (utter_faq/<id>) are read
from the live content store, so edited text reaches visitors within a second
and without retraining; system messages come from domain.yml. Every message
carries a `custom` payload saying what kind of message it is (answer, crisis,
handoff, ...) with the answer id and sources, which the widget renders and the
evaluation reads.
"""
from __future__ import annotations

import copy
import logging
from typing import Any, Callable, Dict, List, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_fixes
from bot.clinic_file import ClinicFile
from bot.content import ContentStore
from bot.content.model import ANSWER_RESPONSE_PREFIX
from bot.content.render import answer_message
from bot.dialogue import messages, names, safety_state
from bot.handoff import live
from bot.handoff.hours import HoursFile
from bot.safety import decision as safety
from bot.settings import get_settings

logger = logging.getLogger(__name__)

Decorator = Callable[["ContentNLG", Dict[str, Any], DialogueStateTracker], None]
Variant = Callable[[DialogueStateTracker], Optional[str]]
# Responses whose variations take turns instead of repeating, and the kinds
# of message each must not repeat.
ROTATING = {"utter_crisis": frozenset({names.KIND_CRISIS}), "utter_fallback": frozenset({"fallback"})}

# What to add to a system message after it is rendered, by response name.
DECORATORS: Dict[str, Decorator] = {}
# Which variation of a response to use, by response name.
VARIANTS: Dict[str, Variant] = {}


def decorates(*responses: str) -> Callable[[Decorator], Decorator]:
    def register(function: Decorator) -> Decorator:
        for name in responses:
            DECORATORS[name] = function
        return function
    return register


def chooses_variant(name: str) -> Callable[[Variant], Variant]:
    def register(function: Variant) -> Variant:
        VARIANTS[name] = function
        return function
    return register


class ContentNLG(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Any = None) -> None:
        # Built once per Rasa server, before it answers: the place where our
        # code runs inside the server process early enough to patch it.
        rasa_fixes.install()
        settings = get_settings()
        self._action_messages = messages.load_action_messages(
            settings.root / messages.ACTION_MESSAGES_FILE
        )
        super().__init__(dict(domain.responses) if domain is not None else {})
        self.store = ContentStore(settings.content_dir)
        self.clinic = ClinicFile(settings.clinic_file)
        self.live_hours = HoursFile(settings.clinic_file)

    def live_offer(self, conversation_id: str) -> Optional[live.Offer]:
        """Whether to offer a live chat with staff now (bot/handoff/live.py).

        None when it must not be offered in this conversation (a chat is
        already open, or nobody joined the last one) or when it cannot be
        told: an error here must never cost a visitor the message itself.
        """
        settings = get_settings()
        try:
            latest = live.latest_session(settings.database_url, conversation_id)
            if latest is not None and latest.state in (*live.ACTIVE, live.UNANSWERED):
                return None
            return live.offer(settings.database_url, self.live_hours.hours(),
                              settings.live_chat_now, settings.live_staff_seen_seconds)
        except Exception:  # noqa: BLE001
            logger.exception("Could not tell whether staff can chat live; offering the callback")
            return None

    # Rasa replaces `responses` with the model's domain responses whenever it
    # loads a model; the messages of messages.yml must survive that.
    @property
    def responses(self) -> Dict[str, List[Dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, value: Dict[str, List[Dict[str, Any]]]) -> None:
        self._responses = {**(value or {}), **self._action_messages}

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        if utter_action.startswith(ANSWER_RESPONSE_PREFIX):
            return self.answer(utter_action[len(ANSWER_RESPONSE_PREFIX):], tracker)
        message = self._system_message(utter_action, tracker, **kwargs)
        if message is not None and utter_action in DECORATORS:
            DECORATORS[utter_action](self, message, tracker)
        return message

    def answer(self, answer_id: str, tracker: DialogueStateTracker) -> Dict[str, Any]:
        """A curated answer with its sources, or the fallback if it is not approved."""
        library = self.store.library()
        answer = library.approved(answer_id)
        if answer is None:
            logger.error("No approved answer '%s'; sending the fallback instead", answer_id)
            return self._system_message("utter_fallback", tracker) or {"text": ""}
        in_crisis_mode = messages.after_crisis(tracker)
        message = answer_message(answer, library, self.clinic.values(),
                                 with_related=not in_crisis_mode)
        if in_crisis_mode:
            messages.with_crisis_resources(message, safety_state.language_of(tracker))
        return message

    def _system_message(
        self, utter_action: str, tracker: DialogueStateTracker, **kwargs: Any
    ) -> Optional[Dict[str, Any]]:
        variations = self.responses.get(utter_action)
        if not variations:
            return None
        wanted = VARIANTS[utter_action](tracker) if utter_action in VARIANTS else None
        language = safety_state.language_of(tracker)
        avoid, turn = None, 0
        if utter_action in ROTATING:
            avoid = safety_state.last_text_of_kind(tracker, ROTATING[utter_action])
            turn = safety_state.crisis_replies_before_latest_message(tracker)
        chosen = messages.pick_variation(variations, wanted, language, avoid, turn)
        values = {**self.clinic.values(), **kwargs}
        return self._fill_response(copy.deepcopy(chosen), tracker.current_slot_values(), **values)


@chooses_variant("utter_out_of_scope")
def _input_problem_variant(tracker: DialogueStateTracker) -> Optional[str]:
    return safety_state.input_problem_of(tracker)


# Decisions that get the ordinary crisis-mode reply even after an emergency.
EMERGENCY_MODE_OVERRIDDEN_BY = frozenset({safety.CRISIS, safety.POSSIBLE_RISK, safety.DISTRESS})


@chooses_variant("utter_crisis")
def _crisis_variant(tracker: DialogueStateTracker) -> Optional[str]:
    """The first crisis reply in full; after it, the shorter crisis-mode replies.

    After an emergency reply, the crisis-mode replies stay about the
    emergency (call 911, stay with the person), unless the message itself
    shows risk or distress of another kind: "i don't want to be here without
    him" after his chest pain needs "are you safe?", not "call 911".
    """
    kind = safety_state.decision_of(tracker).kind
    if safety_state.crisis_replies_before_latest_message(tracker):
        emergency = kind == safety.EMERGENCY or (
            kind not in EMERGENCY_MODE_OVERRIDDEN_BY
            and safety_state.last_crisis_reply_was_emergency(tracker))
        return names.VARIANT_EMERGENCY_MODE if emergency else names.VARIANT_CRISIS_MODE
    return names.VARIANT_EMERGENCY if kind == safety.EMERGENCY else None


@chooses_variant("utter_fallback")
def _fallback_variant(tracker: DialogueStateTracker) -> Optional[str]:
    kind = safety_state.decision_of(tracker).kind
    if kind == safety.POSSIBLE_RISK:
        return "possible_crisis"
    if kind == safety.DISTRESS:
        return "distress"
    return "second_miss" if messages.previous_turn_missed(tracker) else None


@chooses_variant("utter_handoff_personal")
def _personal_variant(tracker: DialogueStateTracker) -> Optional[str]:
    """Past risk told in a question: staff, and 988 for if it comes back."""
    return "past_history" if safety_state.decision_of(tracker).past_history else None


@decorates("utter_greet", "utter_fallback", "utter_out_of_scope", "utter_default")
def _topic_buttons(nlg: ContentNLG, message: Dict[str, Any], tracker: DialogueStateTracker) -> None:
    if message.get("buttons") or messages.after_crisis(tracker):
        return
    message["buttons"] = messages.topic_buttons(nlg.store.library())


@decorates("utter_handoff_request", "utter_offer_callback", "utter_crisis")
def _live_chat_offer(nlg: ContentNLG, message: Dict[str, Any], tracker: DialogueStateTracker) -> None:
    """"Chat with a staff member now" beside the callback, when someone can.

    Outside clinic hours the callback offers say when the clinic opens; the
    crisis reply's own text is never changed.
    """
    offer = nlg.live_offer(tracker.sender_id)
    if offer is None:
        return
    if offer.available:
        buttons = list(message.get("buttons") or [])
        position = len(buttons) if message.get("custom", {}).get("kind") == names.KIND_CRISIS else 0
        buttons.insert(position, dict(live.LIVE_BUTTON))
        message["buttons"] = buttons
    elif message.get("custom", {}).get("kind") != names.KIND_CRISIS:
        opening = live.unavailable_opening(offer).strip()
        if opening:
            message["text"] = f"{message['text']} {opening}"
    message.setdefault("custom", {})["live_chat"] = (
        "offered" if offer.available else "closed" if not offer.open_now else "nobody_available")


@decorates("utter_handoff_personal")
def _general_information(nlg: ContentNLG, message: Dict[str, Any], tracker: DialogueStateTracker) -> None:
    answer_id = safety_state.decision_of(tracker).general_answer_id
    if answer_id is None:
        return
    general = nlg.answer(answer_id, tracker)
    if general.get("custom", {}).get("kind") != "answer":
        return
    custom = message.setdefault("custom", {})
    custom["text"] = message["text"]
    custom["general_answer"] = general["custom"]
    message["text"] = (
        f"{message['text']}\n\nGeneral information, not advice for you: {general['text']}"
    )
