"""The two assistants under test, as seen from a visitor's browser.

Both speak Rasa's REST protocol ({"sender", "message"} in, a JSON list of
messages out); ours at /widget/webhook, stock at Rasa's built-in
/webhooks/rest/webhook. Ours must answer every turn with at least one message
carrying custom.kind; the stock assistant may legitimately answer a turn with
nothing (TEDPolicy can predict action_listen straight away), so for it only
a well-formed list is required.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Optional

OURS, STOCK = "ours", "stock"
WEBHOOK_PATHS = {OURS: "/widget/webhook", STOCK: "/webhooks/rest/webhook"}


@dataclass(frozen=True)
class Target:
    label: str
    kind: str  # OURS or STOCK: which protocol checks apply
    base_url: str

    @property
    def webhook_path(self) -> str:
        return WEBHOOK_PATHS[self.kind]

    @property
    def webhook(self) -> str:
        return self.base_url + self.webhook_path

    def to_dict(self) -> dict:
        return asdict(self)


def reply_problem(kind: str, status: int, body: Any) -> Optional[str]:
    """Why a reply counts as an error, or None when it is a good reply."""
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(body, list):
        return "reply is not a JSON list"
    if kind == OURS:
        if not body:
            return "empty reply"
        if any(not (m.get("custom") or {}).get("kind") for m in body):
            return "message without custom.kind"
    return None
