"""The callback queue: urgent first, then oldest; contact details only on a request's own page."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from bot.handoff import store
from bot.staff.web.common import config, log_change, member, requires

bp = Blueprint("callbacks", __name__)
KIND_LABELS = {"callback": "Callback request", "crisis_flag": "Crisis flag"}


@bp.get("/callbacks")
@requires("callbacks.work")
def index():
    show_closed = request.args.get("show") == "all"
    requests = store.queue(config().database_url, include_closed=show_closed)
    return render_template("callbacks.html", requests=requests, kinds=KIND_LABELS,
                           show_closed=show_closed)


@bp.get("/callbacks/<reference>")
@requires("callbacks.work")
def detail(reference: str):
    try:
        handoff = store.get(config().database_url, reference)
    except store.HandoffNotFound:
        abort(404)
    try:
        transcript = json.loads(handoff.transcript or "[]")
    except ValueError:
        transcript = []
    # Contact details are personal data: record who looked at them.
    log_change("callback.viewed", handoff.reference)
    return render_template("callback_detail.html", handoff=handoff, transcript=transcript,
                           kinds=KIND_LABELS, statuses=store.STATUSES)


@bp.post("/callbacks/<reference>")
@requires("callbacks.work")
def update(reference: str):
    status = request.form.get("status", "")
    note = " ".join(request.form.get("note", "").split())[:2000]
    try:
        before = store.get(config().database_url, reference).status
        store.update_status(config().database_url, reference, status, member().signature, note)
    except store.HandoffNotFound:
        abort(404)
    except ValueError:
        flash("Choose contacted or closed.", "error")
        return redirect(url_for(".detail", reference=reference))
    log_change("callback.status_changed", reference.upper(),
               {"before": before, "after": status, "note": note})
    flash(f"Request {reference.upper()} marked {status}.", "ok")
    return redirect(url_for(".index"))
