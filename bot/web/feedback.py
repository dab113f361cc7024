"""Thumbs up and down on answers, kept for the staff console's insights."""
from __future__ import annotations

from bot.db import session_scope
from bot.models import Feedback
from bot.web.requests import FeedbackRequest


def record_feedback(database_url: str, item: FeedbackRequest) -> None:
    with session_scope(database_url) as session:
        session.add(Feedback(conversation_id=item.sender, answer_id=item.answer_id,
                             helpful=item.helpful))
