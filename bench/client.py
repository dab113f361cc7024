"""A minimal keep-alive HTTP client for the sequential measurements.

One persistent connection, like a browser tab: the single-visitor latency
and the /model/parse floor are measured the same way, so connection set-up
costs neither of them.
"""
from __future__ import annotations

import http.client
import json
import time
from typing import Any, Tuple
from urllib.parse import urlsplit


class Client:
    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def post(self, path: str, payload: dict) -> Tuple[int, Any, float]:
        """(status, decoded JSON or None, seconds) for one POST."""
        body = json.dumps(payload).encode()
        for attempt in (1, 2):  # a kept-alive connection the server closed is reopened once
            connection = self._connection or http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._connection = connection
            started = time.perf_counter()
            try:
                connection.request("POST", path, body, {"Content-Type": "application/json"})
                reply = connection.getresponse()
                raw = reply.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
                continue
            seconds = time.perf_counter() - started
            try:
                decoded = json.loads(raw) if raw else None
            except ValueError:
                decoded = None
            return reply.status, decoded, seconds
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
