"""The Live page: staff chat with visitors who asked for a person. Only HTTP here.

The page's script (static/live.js) polls /api/live every second for the
waiting list and the open chat; every rule (who may join, post, take over,
hand back) is in bot/handoff/live.py, and the state is in the database, so
several console workers and several staff members work the same queue.
Joining, taking over and handing back are recorded in the audit log; the
messages themselves are in the conversation's transcript.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, jsonify, render_template, request

from bot.handoff import live
from bot.models import utcnow
from bot.settings import get_settings
from bot.staff.web.common import config, log_change, member, requires

bp = Blueprint("live", __name__)


def _me() -> live.StaffMember:
    who = member()
    return live.StaffMember(who.id, live.first_name(who.title), live.role_label(who.roles))


def _notice(name: str, **values: str) -> dict[str, Any]:
    return live.notice(get_settings().root / "messages.yml", name, {**config().clinic.values(), **values})


def _refused(error: live.LiveError):
    return jsonify(error=str(error)), error.status


def _iso(value: dt.datetime | None) -> str:
    return value.replace(tzinfo=dt.timezone.utc).isoformat() if value else ""


def _summary(chat: live.LiveSession, now: dt.datetime) -> dict[str, Any]:
    return {"id": chat.id, "state": chat.state, "urgent": chat.urgent, "reason": chat.reason,
            "owner": chat.owner_name or "", "owner_id": chat.owner_id,
            # A crisis message came in; crisis_due: it still waits for an answer.
            "crisis_alert": chat.crisis_alert_at is not None,
            "crisis_due": chat.crisis_due_at is not None,
            "waiting_seconds": int((now - chat.created_at).total_seconds()),
            "created_at": _iso(chat.created_at)}


@bp.get("/live")
@requires("live.chat")
def index():
    return render_template("live.html", crisis_seconds=int(get_settings().live_crisis_reply_seconds))


@bp.get("/api/live")
@requires("live.chat")
def board():
    """The waiting list and the chats in progress; also says this page is still open."""
    db = config().database_url
    available = live.seen(db, member().id)
    now = utcnow()
    chats = [_summary(chat, now) for chat in live.board(db)
             if chat.state == live.LIVE or chat.wait_until > now]
    return jsonify(available=available, me=member().id, chats=chats,
                   waiting=sum(1 for chat in chats if chat["state"] == live.WAITING))


@bp.post("/api/live/availability")
@requires("live.chat")
def availability():
    available = (request.get_json(silent=True) or {}).get("available") is True
    live.set_availability(config().database_url, member().id, available)
    log_change("live.availability", "", {"available": available})
    return jsonify(available=available)


@bp.get("/api/live/<int:chat_id>")
@requires("live.chat")
def chat(chat_id: int):
    """One chat: what the visitor and the assistant said before, and the live messages."""
    db = config().database_url
    after = request.args.get("after", type=int) or 0
    try:
        session = live.get(db, chat_id)
    except live.LiveError as error:
        return _refused(error)
    messages = []
    for row in live.messages_of(db, chat_id, after):
        message = json.loads(row.message)
        custom = message.get("custom") or {}
        text = str(message.get("text") or "")
        messages.append({"id": row.id, "who": row.who, "at": _iso(row.at),
                         "name": custom.get("staff_name", ""),
                         # Visitors' words were masked when stored; masked again for older rows.
                         "text": live.visitor_words(text) if row.who == live.VISITOR else text})
    return jsonify(chat=_summary(session, utcnow()), mine=session.owner_id == member().id,
                   before=json.loads(session.transcript or "[]") if after == 0 else None,
                   messages=messages)


@bp.post("/api/live/<int:chat_id>/join")
@requires("live.chat")
def join(chat_id: int):
    me = _me()
    try:
        live.join(config().database_url, chat_id, me,
                  _notice("utter_live_joined", staff_name=me.name, staff_role=me.role))
    except live.LiveError as error:
        return _refused(error)
    log_change("live.joined", f"live chat {chat_id}")
    return jsonify(ok=True)


@bp.post("/api/live/<int:chat_id>/takeover")
@requires("live.chat")
def take_over(chat_id: int):
    me = _me()
    try:
        previous = live.join(config().database_url, chat_id, me,
                             _notice("utter_live_joined", staff_name=me.name, staff_role=me.role),
                             take_over=True)
    except live.LiveError as error:
        return _refused(error)
    log_change("live.taken_over", f"live chat {chat_id}", {"from": previous})
    return jsonify(ok=True)


@bp.post("/api/live/<int:chat_id>/message")
@requires("live.chat")
def message(chat_id: int):
    text = str((request.get_json(silent=True) or {}).get("text") or "")
    try:
        message_id = live.post(config().database_url, chat_id, _me(), text)
    except live.LiveError as error:
        return _refused(error)
    return jsonify(id=message_id)


@bp.post("/api/live/<int:chat_id>/typing")
@requires("live.chat")
def typing(chat_id: int):
    try:
        live.typing(config().database_url, chat_id, _me())
    except live.LiveError as error:
        return _refused(error)
    return jsonify(ok=True)


@bp.post("/api/live/<int:chat_id>/handback")
@requires("live.chat")
def hand_back(chat_id: int):
    try:
        live.hand_back(config().database_url, chat_id, _me(), _notice("utter_live_back"))
    except live.LiveError as error:
        return _refused(error)
    log_change("live.handed_back", f"live chat {chat_id}")
    return jsonify(ok=True)
