"""The message a visitor would get for an answer, built like the assistant builds it.

Mirrors ContentNLG.answer (bot/dialogue/nlg.py) for a text that is not live
yet: placeholders filled from clinic.yml, the cited sources, the related
questions, the same `custom` payload. The console's page hands this message
to the widget's own rendering code (web/src/render.js), so the preview is the
widget's markup and CSS, not a copy of them. tests/staff/test_preview.py
checks that this stays equal to what the NLG sends.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from bot.content.model import Answer, ContentLibrary
from bot.content.readability import reading_grade
from bot.dialogue import messages


def answer_message(answer: Answer, library: ContentLibrary, values: dict[str, str]) -> dict[str, Any]:
    """The message the widget would show, from the one renderer the assistant uses."""
    return messages.answer_message(answer, library, values)


def draft_answer(base: Answer | None, answer_id: str, topic: str, question: str, text: str,
                 sources: tuple[str, ...]) -> Answer:
    """The answer as it would be served with the editor's draft."""
    if base is None:
        return Answer(id=answer_id, topic=topic, question=question, text=text, sources=sources,
                      reviewed_by="", reviewed_on=None, status="draft")
    return dataclasses.replace(base, question=question, text=text, sources=sources, pending=None)


def grade_of(message: dict[str, Any]) -> float | None:
    body = message["custom"]["text"]
    return round(reading_grade(body), 1) if body.strip() else None
