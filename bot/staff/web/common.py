"""Helpers every blueprint uses: the config, the signed-in member, permissions."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Callable

from flask import abort, current_app, g, request

from bot.staff import audit
from bot.staff.accounts import StaffMember


def config():  # -> bot.staff.app.StaffConfig
    return current_app.extensions["staff"]


def member() -> StaffMember:
    return g.member


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def requires(permission: str) -> Callable:
    """Refuse the view (403) unless the member's roles grant permission."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not member().can(permission):
                abort(403)
            return view(*args, **kwargs)
        wrapped.permission = permission
        return wrapped
    return decorate


def log_change(action: str, target: str = "", details: dict | None = None) -> None:
    """An audit entry signed by the current member (email, so it is unambiguous)."""
    who = member()
    audit.record(config().database_url, f"{who.title} <{who.email}>", action, target, details)


def when(value: dt.datetime | dt.date | None) -> str:
    """Dates for people: '26 Nov 2026, 18:40 UTC' (stored times are UTC)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%-d %b %Y, %H:%M UTC")
    return value.strftime("%-d %b %Y")
