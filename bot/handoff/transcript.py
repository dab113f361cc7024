"""A readable transcript of a conversation, for the staff who call back."""
from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from bot.privacy import mask_contact_details

MAX_TURNS = 60


def transcript_from_events(events: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """User and bot messages from Rasa tracker events, contact details masked.

    Form answers are part of the events too; masking keeps the phone number
    and email out of the transcript, so they live only in the callback record.
    """
    turns = []
    for event in events:
        kind = event.get("event")
        if kind not in ("user", "bot") or not event.get("text"):
            continue
        timestamp = event.get("timestamp")
        turns.append(
            {
                "who": "visitor" if kind == "user" else "assistant",
                "text": mask_contact_details(str(event["text"])),
                "at": dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat()
                if isinstance(timestamp, (int, float))
                else "",
            }
        )
    return turns[-MAX_TURNS:]
