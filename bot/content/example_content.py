"""Shipped example content, and how to tell it from answers a clinic has reviewed.

The answers in data/content/ are example content for a fictional clinic,
written from the content brief. No clinician has reviewed them. So instead
of a reviewer they say

    reviewed_by: example content (not clinically reviewed)

and have no `reviewed_on:` date (there was no review to date). They stay
`status: approved`, so the demo can answer questions.

Going live needs more than this file: `python -m bot content check --launch`
(bot/staff/launch_check.py) fails until a reviewer of this installation has
approved every live answer in the staff console. Approving signs the answer
with the reviewer's title and today's date, which replaces this marker, and
the console records the approval in its audit log. The launch check trusts
that record, not what the YAML says.
"""
from __future__ import annotations

from bot.content.model import Answer

EXAMPLE_REVIEWER = "example content (not clinically reviewed)"


def is_example(answer: Answer) -> bool:
    """Shipped example text nobody in this clinic has approved yet."""
    return is_example_reviewer(answer.reviewed_by)


def is_example_reviewer(reviewed_by: object) -> bool:
    return str(reviewed_by or "").strip().casefold() == EXAMPLE_REVIEWER
