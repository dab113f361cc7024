"""A visitor talking to the cluster through nginx over HTTPS, as the widget does.

Same protocol as web/src/api.js: each turn has a message id; when nginx
cannot deliver it (a 502/503/504, or no connection) it is sent again with the
same id and `retry: true`, after the widget's pauses. Any other error is the
turn's answer (the widget shows it).
"""
from __future__ import annotations

import http.client
import json
import ssl
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

RETRY_DELAYS_S = (0.3, 1.0, 2.5)  # web/src/api.js, RETRY_DELAYS_MS
RETRYABLE = {502, 503, 504}


@dataclass
class Turn:
    message: str
    message_id: str
    status: int
    body: Any
    attempts: int

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class Visitor:
    port: int
    certificate: Path
    sender: str = field(default_factory=lambda: f"visitor-{uuid.uuid4().hex[:20]}")
    turns: list[Turn] = field(default_factory=list)
    max_attempts: Optional[int] = None  # None: the widget's

    def _post(self, body: dict) -> tuple[int, Any]:
        context = ssl.create_default_context(cafile=str(self.certificate))
        connection = http.client.HTTPSConnection("localhost", self.port, timeout=60, context=context)
        try:
            connection.request("POST", "/widget/webhook", json.dumps(body),
                               {"Content-Type": "application/json"})
            reply = connection.getresponse()
            raw = reply.read()
            try:
                return reply.status, json.loads(raw)
            except json.JSONDecodeError:
                return reply.status, raw.decode(errors="replace")
        except (OSError, http.client.HTTPException) as error:
            return 0, str(error)
        finally:
            connection.close()

    def say(self, message: str) -> Turn:
        message_id = f"m-{uuid.uuid4().hex}"
        delays = list(RETRY_DELAYS_S)[: (self.max_attempts - 1) if self.max_attempts else None]
        attempt = 0
        while True:
            status, body = self._post({"sender": self.sender, "message": message,
                                       "message_id": message_id, "retry": attempt > 0})
            attempt += 1
            if (status not in RETRYABLE and status != 0) or attempt > len(delays):
                break
            time.sleep(delays[attempt - 1])
        turn = Turn(message, message_id, status, body, attempt)
        self.turns.append(turn)
        return turn


def texts(turn: Turn) -> str:
    if isinstance(turn.body, list):
        return " ".join(reply.get("text", "") for reply in turn.body)
    if isinstance(turn.body, dict):
        return str(turn.body.get("error", ""))
    return str(turn.body)
