"""When an answer is due for another review.

One rule for `bot content check` (a warning on the review date) and the staff
console (the "stale" mark and filter on the Answers page): a review more than
STALE_AFTER_DAYS old is overdue.
"""
from __future__ import annotations

import datetime as dt

from bot.content.example_content import is_example
from bot.content.model import Answer

STALE_AFTER_DAYS = 365


def review_overdue(reviewed_on: dt.date, today: dt.date) -> bool:
    """The review dated reviewed_on was more than STALE_AFTER_DAYS before today."""
    return (today - reviewed_on).days > STALE_AFTER_DAYS


def is_stale(answer: Answer, today: dt.date | None = None) -> bool:
    """Approved long ago; example content was never reviewed and is flagged as such instead."""
    today = today or dt.date.today()
    return answer.approved and not is_example(answer) and (
        answer.reviewed_on is None or review_overdue(answer.reviewed_on, today))
