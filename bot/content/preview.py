"""The answer an editor is writing, as a visitor would get it.

The message itself comes from render.answer_message, the renderer the
assistant uses (bot/dialogue/nlg.py); this module builds the not-yet-live
answer to render. The console's page hands the message to the widget's own
rendering code (web/src/render.js), so the preview is the widget's markup
and CSS, not a copy of them. tests/staff/test_preview.py checks that the
preview equals what the NLG sends.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from bot.content.check import Finding
from bot.content.edits import ContentPaths, Draft, draft_record, findings_for
from bot.content.model import Answer, ContentLibrary
from bot.content.readability import reading_grade
from bot.content.render import answer_message


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


@dataclasses.dataclass(frozen=True)
class Preview:
    message: dict[str, Any]
    grade: float | None
    findings: list[Finding]


def preview_draft(paths: ContentPaths, library: ContentLibrary, values: dict[str, str],
                  answer_id: str, draft: Draft, topic: str = "", new: bool = False) -> Preview:
    """What the edit page shows while staff type: the widget message, grade, findings."""
    base = None if new else library.answers.get(answer_id)
    answer = draft_answer(base, answer_id, topic, draft.question, draft.text, draft.sources)
    message = answer_message(answer, library, values)
    findings = findings_for(paths, draft_record(paths, answer_id, draft, topic, new=new))
    return Preview(message, grade_of(message), findings)
