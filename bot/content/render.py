"""A curated answer as visitors get it: text, sources, source line, related questions.

The assistant's NLG (bot/dialogue/nlg.py) sends this message, and the staff
console's live preview (bot/content/preview.py) renders the same, so what
reviewers see is what the widget shows. Crisis footers, topic buttons and
the other dialogue messages stay in bot/dialogue/messages.py.
"""
from __future__ import annotations

from typing import Any, Dict, List

from bot.clinic import fill
from bot.content.model import Answer, ContentLibrary

RELATED_LIMIT = 3


def answer_message(answer: Answer, library: ContentLibrary, values: Dict[str, str],
                   with_related: bool = True) -> Dict[str, Any]:
    """A curated answer exactly as visitors get it: text, sources, related questions."""
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


def related_questions(library: ContentLibrary, answer: Answer) -> List[Dict[str, str]]:
    siblings = [
        a for a in library.by_topic().get(answer.topic, [])
        if a.approved and a.id != answer.id
    ]
    return [{"title": a.question, "payload": a.question} for a in siblings[:RELATED_LIMIT]]
