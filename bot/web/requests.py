"""Checking what a browser (or anything else) POSTs to the widget endpoints.

Bad requests get a 4xx with a short JSON explanation, never a stack trace.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

from bot.content.model import ANSWER_ID_PATTERN
from bot.handoff.live import LIVE_PAYLOAD

MAX_MESSAGE_CHARACTERS = 10_000
MAX_BODY_BYTES = 64 * 1024
SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Button payloads the widget may send as intents; any other leading "/" is
# treated as text so a visitor cannot trigger an intent by typing it.
ALLOWED_PAYLOADS = frozenset({"/affirm", "/deny", "/request_human", "/greet", LIVE_PAYLOAD})


class BadRequest(ValueError):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ChatRequest:
    sender: str
    message: str
    # The widget's id for this turn, the same on every retry of it; `retry`
    # says this request is one (bot/web/dedup.py).
    message_id: Optional[str] = None
    retry: bool = False


@dataclass(frozen=True)
class FeedbackRequest:
    sender: str
    answer_id: str
    helpful: bool


def require_json(content_type: Optional[str]) -> None:
    """Only application/json: a browser sends that cross-site only after a CORS
    preflight, which our CORS settings refuse for other origins. text/plain or
    a form post would skip the preflight and let any site post as a visitor."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        raise BadRequest("The request must be sent as application/json.", 415)


def parse_json_body(body: bytes) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest("The request is too large.", 413)
    try:
        data = json.loads(body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("The request body must be JSON.")
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.")
    return data


def _sender(data: dict[str, Any]) -> str:
    sender = data.get("sender")
    if not isinstance(sender, str) or not SENDER_PATTERN.match(sender):
        raise BadRequest("'sender' must be 8 to 64 letters, digits, '-' or '_'.")
    return sender


def parse_chat(body: bytes) -> ChatRequest:
    data = parse_json_body(body)
    message = data.get("message", "")
    if message is None:
        message = ""
    if not isinstance(message, str):
        raise BadRequest("'message' must be text.")
    if len(message) > MAX_MESSAGE_CHARACTERS:
        raise BadRequest(
            f"Your message is too long. Please keep it under {MAX_MESSAGE_CHARACTERS:,} characters.",
            413,
        )
    message_id = data.get("message_id")
    if message_id is not None and (not isinstance(message_id, str) or not SENDER_PATTERN.match(message_id)):
        raise BadRequest("'message_id' must be 8 to 64 letters, digits, '-' or '_'.")
    retry = data.get("retry", False)
    if not isinstance(retry, bool):
        raise BadRequest("'retry' must be true or false.")
    if retry and message_id is None:
        raise BadRequest("A retried message needs its 'message_id'.")
    return ChatRequest(_sender(data), neutralise_commands(message), message_id, retry)


def neutralise_commands(message: str) -> str:
    stripped = message.strip()
    if stripped.startswith("/") and stripped not in ALLOWED_PAYLOADS:
        return stripped.lstrip("/ ")
    return message


@dataclass(frozen=True)
class LivePollRequest:
    sender: str
    after: int  # the last live message id the widget has
    typing: bool  # whether it shows the staff member typing now


def parse_live_poll(body: bytes) -> LivePollRequest:
    data = parse_json_body(body)
    after = data.get("after", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise BadRequest("'after' must be a message number.")
    return LivePollRequest(_sender(data), after, data.get("typing") is True)


def parse_feedback(body: bytes) -> FeedbackRequest:
    data = parse_json_body(body)
    answer_id = data.get("answer_id")
    helpful: Optional[Any] = data.get("helpful")
    if not isinstance(answer_id, str) or not ANSWER_ID_PATTERN.match(answer_id):
        raise BadRequest("'answer_id' must be an answer id.")
    if not isinstance(helpful, bool):
        raise BadRequest("'helpful' must be true or false.")
    return FeedbackRequest(_sender(data), answer_id, helpful)
