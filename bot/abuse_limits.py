"""Abuse limits: how much one client or one conversation may ask of us.

A client is a browser's address as the Rasa server sees it (behind a proxy,
Sanic's `remote_addr` from the proxy's header), kept only as a keyed hash.
The limits use the `limits` library's moving windows, in this process's
memory by default or in Redis (`RATE_LIMIT_STORAGE_URL=redis://...`) when
several processes must share them.

What a limit never does: withhold the crisis reply. The widget channel lets a
limited message through when the safety decision says it is risky
(bot/web/channel.py), and crisis flags are aggregated per client rather than
refused (bot/handoff/store.py).

Each limit can be changed with an environment variable, e.g.
`RATE_LIMIT_MESSAGES_PER_CLIENT="300/minute"`. `RATE_LIMITS=off` turns them
all off, the grouping of crisis flags by client included: only for load
tests, the evaluation and the test suite, which send hundreds of
conversations a minute from loopback.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from limits import RateLimitItem, parse, storage, strategies

# Defaults a clinic would choose. A waiting room or an office shares one
# address, so per-client limits are generous; per-conversation ones fit one
# person typing (a fast typer sends a message every few seconds).
DEFAULTS: Mapping[str, str] = {
    "messages_per_client": "120/minute",
    "messages_per_conversation": "20/minute",
    "conversations_per_client": "30/hour",
    "callbacks_per_client": "3/hour",
    "callbacks_per_conversation": "2/day",
    "feedback_per_client": "120/hour",
}
_SEEN = parse("1/day")
# The message metadata key under which the widget channel passes the client
# key on to the action server (crisis-flag grouping, callback limits).
CLIENT_METADATA_KEY = "client"
# Crisis conversations from one client within this many minutes share one
# urgent queue entry and one staff webhook.
CRISIS_FLAG_WINDOW_MINUTES = 60


@dataclass(frozen=True)
class Refused:
    """A limit was reached; retry_after in whole seconds."""

    limit: str
    retry_after: int


class AbuseLimits:
    def __init__(self, items: Mapping[str, RateLimitItem], storage_url: str, enabled: bool) -> None:
        self.items = dict(items)
        self.enabled = enabled
        # limits keeps only a weak reference to its storage: hold it here.
        self._storage = storage.storage_from_string(storage_url)
        self._limiter = strategies.MovingWindowRateLimiter(self._storage)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "AbuseLimits":
        items = {name: parse(env.get(f"RATE_LIMIT_{name.upper()}", default))
                 for name, default in DEFAULTS.items()}
        return cls(items, env.get("RATE_LIMIT_STORAGE_URL", "memory://"),
                   env.get("RATE_LIMITS", "on").strip().lower() != "off")

    def first_sight(self, conversation_id: str) -> bool:
        """True the first time a conversation id is seen in a day.

        The store the limits live in doubles as the record of conversations
        seen, so telling a new conversation from a going one costs no read
        of the conversation store (whose lookup loads the whole tracker).
        """
        return self._limiter.hit(_SEEN, "seen", conversation_id)

    def hit(self, name: str, *keys: str) -> Optional[Refused]:
        """Count one use of limit name for keys; Refused when it was already used up."""
        if not self.enabled:
            return None
        item = self.items[name]
        if self._limiter.hit(item, name, *keys):
            return None
        reset_at, _remaining = self._limiter.get_window_stats(item, name, *keys)
        return Refused(name, max(1, int(reset_at - time.time()) + 1))


@functools.lru_cache(maxsize=1)
def abuse_limits() -> AbuseLimits:
    """The process's limits, read from the environment once."""
    return AbuseLimits.from_env()


_PROCESS_SECRET = secrets.token_bytes(32)


def client_key(address: str, secret: Optional[str] = None) -> str:
    """A keyed hash of a client's address: enough to count, not to identify.

    CLIENT_KEY_SECRET must be the same on every replica for their counts to
    agree; without it each process uses its own random key.
    """
    key = (secret or os.environ.get("CLIENT_KEY_SECRET", "")).encode() or _PROCESS_SECRET
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def client_of_tracker(tracker: Any) -> Optional[str]:
    """The client key the widget channel put on the visitor's latest message."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    key = metadata.get(CLIENT_METADATA_KEY)
    return key if isinstance(key, str) and key else None
