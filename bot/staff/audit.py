"""The audit log: who changed what, and when.

Every change made through the console or the staff commands is written here
(in the same database as the callback queue). Free text that staff type can
contain a caller's phone number, so it is masked before it is stored.
"""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.db import session_scope
from bot.models import AuditEntry
from bot.privacy import mask_contact_details


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_contact_details(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(item) for item in value]
    return value


def record(database_url: str, actor: str, action: str, target: str = "",
           details: dict[str, Any] | None = None) -> None:
    with session_scope(database_url) as session:
        session.add(AuditEntry(actor=actor, action=action, target=target,
                               details=json.dumps(_masked(details or {}), default=str)))


def recent(database_url: str, limit: int = 200, action: str = "") -> list[dict[str, Any]]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    with session_scope(database_url) as session:
        return [
            {"at": entry.at, "actor": entry.actor, "action": entry.action,
             "target": entry.target, "details": json.loads(entry.details or "{}")}
            for entry in session.execute(query).scalars()
        ]
