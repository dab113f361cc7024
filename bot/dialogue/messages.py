"""Small, pure helpers the NLG uses to shape messages."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.clinic import fill
from bot.content.model import TOPIC_TITLES, TOPICS, Answer, ContentLibrary

ACTION_MESSAGES_FILE = "messages.yml"
CRISIS_SLOT = "crisis_flagged"
MISS_INTENTS = {"nlu_fallback"}
GENERAL_ANSWER_CONFIDENCE = 0.5
RELATED_LIMIT = 3
TALK_TO_STAFF = {"title": "Talk to staff", "payload": "/request_human"}


def load_action_messages(path: Path) -> Dict[str, List[Dict[str, Any]]]:
    """The responses of messages.yml, in the same shape as domain responses."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return dict(data.get("responses") or {})


def after_crisis(tracker: DialogueStateTracker) -> bool:
    """After a crisis message we stop offering topics, booking or prices."""
    return bool(tracker.get_slot(CRISIS_SLOT))


def pick_variation(variations: List[Dict[str, Any]], wanted: Optional[str]) -> Dict[str, Any]:
    """The variation marked custom.variant == wanted, else the plain one."""
    def variant(v: Dict[str, Any]) -> Optional[str]:
        return (v.get("custom") or {}).get("variant")

    for candidate in variations:
        if wanted and variant(candidate) == wanted:
            return candidate
    plain = [v for v in variations if variant(v) is None]
    return (plain or variations)[0]


def answer_message(answer: Answer, library: ContentLibrary, values: Dict[str, str],
                   with_related: bool = True) -> Dict[str, Any]:
    """A curated answer exactly as visitors get it: text, sources, related questions.

    The staff console's preview calls this too, so what reviewers see is what
    the widget shows.
    """
    body = fill(answer.text, values)
    sources = [{"citation": s.citation, "url": s.url} for s in library.sources_of(answer)]
    return {
        "text": with_source_line(body, sources),
        "custom": {
            "kind": "answer",
            "answer_id": answer.id,
            "topic": answer.topic,
            "question": answer.question,
            "text": body,
            "sources": sources,
            "related": related_questions(library, answer) if with_related else [],
        },
    }


def with_source_line(body: str, sources: List[Dict[str, str]]) -> str:
    if not sources:
        return body
    first = sources[0]
    return f"{body}\n\nSource: {first['citation']} {first['url']}"


def topic_buttons(library: ContentLibrary) -> List[Dict[str, str]]:
    """One button per topic (its first approved question) and one for staff."""
    buttons = []
    grouped = library.by_topic()
    for topic in TOPICS:
        approved = [a for a in grouped.get(topic, []) if a.approved]
        if approved:
            buttons.append({"title": TOPIC_TITLES[topic], "payload": approved[0].question})
    return buttons + [TALK_TO_STAFF]


def related_questions(library: ContentLibrary, answer: Answer) -> List[Dict[str, str]]:
    siblings = [
        a for a in library.by_topic().get(answer.topic, [])
        if a.approved and a.id != answer.id
    ]
    return [{"title": a.question, "payload": a.question} for a in siblings[:RELATED_LIMIT]]


def latest_entity(tracker: DialogueStateTracker, name: str) -> Optional[str]:
    message = tracker.latest_message
    for entity in (message.entities if message else []) or []:
        if entity.get("entity") == name:
            return str(entity.get("value"))
    return None


def previous_turn_missed(tracker: DialogueStateTracker) -> bool:
    """True when the visitor's message before this one was also not understood."""
    user_turns = [e for e in tracker.events if isinstance(e, UserUttered)]
    if len(user_turns) < 2:
        return False
    return user_turns[-2].intent.get("name") in MISS_INTENTS


def confident_answer_id(tracker: DialogueStateTracker) -> Optional[str]:
    """The general answer the response selector found, if it is a good match."""
    message = tracker.latest_message
    selector = (message.parse_data.get("response_selector") or {}).get("faq") if message else None
    if not selector:
        return None
    response = selector.get("response") or {}
    key = response.get("intent_response_key") or ""
    if response.get("confidence", 0.0) < GENERAL_ANSWER_CONFIDENCE or "/" not in key:
        return None
    return key.split("/", 1)[1]
