"""Thumbs up and down on answers, kept for the staff console's insights."""
from __future__ import annotations

from sqlalchemy import select

from bot.db import session_scope
from bot.models import Feedback
from bot.web.requests import FeedbackRequest


def record_feedback(database_url: str, item: FeedbackRequest) -> None:
    """One vote per answer per conversation: a second tap changes it, never adds one."""
    with session_scope(database_url) as session:
        existing = session.execute(select(Feedback).where(
            Feedback.conversation_id == item.sender, Feedback.answer_id == item.answer_id)
        ).scalars().first()
        if existing is not None:
            existing.helpful = item.helpful
            return
        session.add(Feedback(conversation_id=item.sender, answer_id=item.answer_id,
                             helpful=item.helpful))
