"""Talking to the running stack over HTTP, like the widget does."""
from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:16]}"


def post(url: str, body: bytes | str | dict, content_type: str = "application/json") -> tuple[int, Any]:
    data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except json.JSONDecodeError:
            return error.code, raw.decode(errors="replace")


def say(stack, sender: str, message: str) -> list[dict]:
    status, replies = post(stack.webhook, {"sender": sender, "message": message})
    assert status == 200, replies
    return replies


def kinds(replies: list[dict]) -> list[str]:
    return [(r.get("custom") or {}).get("kind", "") for r in replies]


def answers(replies: list[dict]) -> list[dict]:
    return [r["custom"] for r in replies if (r.get("custom") or {}).get("kind") == "answer"]


def announce_only(url: str, length: int, headers: dict | None = None) -> int:
    """POST announcing a body of length bytes but send none: the status the
    server answers with before reading the body (a 413, if it caps bodies)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("POST", parts.path + (f"?{parts.query}" if parts.query else ""))
        for name, value in {"Content-Type": "application/json", "Content-Length": str(length),
                            **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def stored_message_ids(database_url: str, sender: str) -> list[str]:
    """The message ids of a visitor's messages in the tracker store, in order."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                {"s": sender}).scalars().all()
    finally:
        engine.dispose()
    return [json.loads(row).get("message_id") for row in rows]
