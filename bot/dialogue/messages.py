"""Small, pure helpers the NLG uses to shape messages.

A curated answer itself is rendered by bot/content/render.py; what is here
belongs to the conversation: system message variations, crisis resources,
topic buttons, and whether the visitor was misunderstood twice.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content.model import TOPIC_TITLES, TOPICS, ContentLibrary
from bot.dialogue.names import CRISIS_SLOT
from bot.safety.decision import NONE, PARSE_DATA_KEY, SafetyDecision

ACTION_MESSAGES_FILE = "messages.yml"
MISS_INTENTS = {"nlu_fallback"}
TALK_TO_STAFF = {"title": "Talk to staff", "payload": "/request_human"}
CRISIS_FOOTER = {
    "en": "If you are not safe, call 911 now, or call or text 988 any time.",
    "es": "Si no estás a salvo, llama al 911 ahora, o llama al 988 y marca 2, a cualquier hora.",
}


def load_action_messages(path: Path) -> Dict[str, List[Dict[str, Any]]]:
    """The responses of messages.yml, in the same shape as domain responses."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data.get("responses") or {})


def after_crisis(tracker: DialogueStateTracker) -> bool:
    """After a crisis message we stop offering topics, booking or prices."""
    return bool(tracker.get_slot(CRISIS_SLOT))


def with_crisis_resources(message: Dict[str, Any], language: str = "en") -> Dict[str, Any]:
    """An answer given in crisis mode keeps the crisis resources in view."""
    footer = CRISIS_FOOTER.get(language, CRISIS_FOOTER["en"])
    message["text"] = f"{message['text']}\n\n{footer}"
    message.setdefault("custom", {})["crisis_resources"] = footer
    return message


def pick_variation(variations: List[Dict[str, Any]], wanted: Optional[str],
                   language: str = "en", avoid_text: Optional[str] = None,
                   turn: int = 0) -> Dict[str, Any]:
    """The variation marked custom.variant == wanted in the visitor's language.

    Falls back to English, then to the plain variation. Where several fit
    (crisis mode, distress), they take turns, and the text sent last time is
    never sent again straight after.
    """
    def variant(v: Dict[str, Any]) -> Optional[str]:
        return (v.get("custom") or {}).get("variant")

    def in_language(candidates: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        own = [v for v in candidates if (v.get("custom") or {}).get("language", "en") == language]
        return own or [v for v in candidates if (v.get("custom") or {}).get("language", "en") == "en"]

    candidates = in_language([v for v in variations if wanted and variant(v) == wanted])
    if not candidates:
        # A response whose every variation has a variant ("Yes, I'm safe"
        # in English and Spanish) still answers in the visitor's language.
        candidates = in_language([v for v in variations if variant(v) is None]) or in_language(variations) \
            or variations[:1]
    chosen = candidates[turn % len(candidates)]
    if chosen.get("text") == avoid_text and len(candidates) > 1:
        chosen = candidates[(turn + 1) % len(candidates)]
    return chosen


def topic_buttons(library: ContentLibrary) -> List[Dict[str, str]]:
    """One button per topic (its first approved question) and one for staff."""
    buttons = []
    grouped = library.by_topic()
    for topic in TOPICS:
        approved = [a for a in grouped.get(topic, []) if a.approved]
        if approved:
            buttons.append({"title": TOPIC_TITLES[topic], "payload": approved[0].question})
    return buttons + [TALK_TO_STAFF]


def previous_turn_missed(tracker: DialogueStateTracker) -> bool:
    """True when the visitor's message before this one was also not understood."""
    user_turns = [e for e in tracker.events if isinstance(e, UserUttered)]
    if len(user_turns) < 2:
        return False
    previous = user_turns[-2]
    decision = SafetyDecision.from_dict(previous.parse_data.get(PARSE_DATA_KEY))
    return previous.intent.get("name") in MISS_INTENTS and decision.kind == NONE
