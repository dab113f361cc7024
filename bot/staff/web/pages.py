"""The start page, the navigation and the template helpers."""
from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, g, redirect, url_for

from bot.content.example_content import is_example
from bot.privacy import mask_contact_details
from bot.staff.web.common import config, when

bp = Blueprint("pages", __name__)
# (permission, endpoint, label) in the order of the navigation bar.
NAVIGATION = (
    ("answers.view", "answers.index", "Answers"),
    ("callbacks.work", "callbacks.index", "Callbacks"),
    ("live.chat", "live.index", "Live"),
    ("insights.view", "insights.index", "Insights"),
    ("safety.view", "safety.index", "Safety review"),
    ("models.manage", "models.index", "Model"),
    ("staff.manage", "admin.staff", "Staff accounts"),
    ("audit.view", "admin.audit_log", "Audit log"),
)


@bp.app_context_processor
def navigation():
    member = g.get("member")
    items = [(endpoint, label) for permission, endpoint, label in NAVIGATION
             if member is not None and member.can(permission)]
    return {"navigation": items, "member": member}


@bp.app_context_processor
def example_content_banner():
    """The banner on every page while live answers are still the shipped example content.

    Shown to everyone who can read answers (so the first page staff see has
    it), until a reviewer has approved each one; the launch check
    (`python -m bot content check --launch`) is the strict test.
    """
    member = g.get("member")
    if member is None or not member.can("answers.view"):
        return {"example_banner": None}
    live = [answer for answer in config().store.library().answers.values() if answer.approved]
    count = sum(1 for answer in live if is_example(answer))
    return {"example_banner": {"count": count, "live": len(live)} if count else None}


@bp.app_template_filter("when")
def when_filter(value):
    return when(value)


@bp.app_template_filter("when_timestamp")
def when_timestamp_filter(value):
    """Unix seconds (Rasa's event times) as a date for people."""
    return when(dt.datetime.fromtimestamp(float(value), dt.timezone.utc).replace(tzinfo=None))


@bp.app_template_filter("masked")
def masked_filter(value):
    """Free text a visitor typed, for lists: "call me at 555 0100 after 3" keeps its time only."""
    return mask_contact_details(value or "")


@bp.app_template_filter("readable")
def readable_filter(value):
    """Audit details for people: plain strings stay plain, structures become indented JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=1, ensure_ascii=False, default=str)


@bp.get("/")
def home():
    for endpoint, _label in navigation()["navigation"]:
        return redirect(url_for(endpoint))
    return redirect(url_for("auth.login"))
