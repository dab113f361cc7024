"""Model updates in the console, and the model server every Rasa server pulls from.

Only HTTP here: bot.model_updates does the work. The model server route is
the one page without a staff session: Rasa authenticates with the token in
MODEL_SERVER_TOKEN (made by `make run` in var/, 0600) and gets the live
model with its name as ETag, or 304 when it already has it.
"""
from __future__ import annotations

import hmac
import os

from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file,
                   url_for)

from bot import model_updates
from bot.staff.web.common import log_change, member, requires

bp = Blueprint("models", __name__)
TOKEN_ENV = "MODEL_SERVER_TOKEN"


@bp.get("/models")
@requires("models.manage")
def index():
    recent = model_updates.jobs(limit=5)
    running = any(job.running for job in recent)
    return render_template("models.html", jobs=recent, running=running,
                           models=model_updates.kept_models(), live=model_updates.live_model())


@bp.post("/models/retrain")
@requires("models.manage")
def retrain():
    try:
        job = model_updates.start_retrain(member().signature)
    except RuntimeError as refused:
        flash(str(refused), "error")
    else:
        log_change("model.retrain_started", job.id)
        flash("Retraining started. This page shows each step; it takes a few minutes.", "ok")
    return redirect(url_for(".index"))


@bp.post("/models/publish")
@requires("models.manage")
def publish():
    name = request.form.get("model", "")
    before = model_updates.live_model()
    try:
        pointer = model_updates.publish(name, member().signature)
    except ValueError as refused:
        flash(f"Not published: {refused}", "error")
        return redirect(url_for(".index"))
    action = "model.rolled_back" if request.form.get("rollback") else "model.published"
    log_change(action, name, {"before": before.name if before else None, "after": pointer["model"]})
    flash(f"{name} is now live. Every assistant server switches to it within about "
          "10 seconds, without a restart.", "ok")
    return redirect(url_for(".index"))


@bp.get("/model-server/live.tar.gz")
def live_model():
    expected = os.environ.get(TOKEN_ENV, "")
    given = request.args.get("token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403)
    model = model_updates.live_model()
    if model is None:
        abort(404)
    if request.headers.get("If-None-Match") == model.name:
        return "", 304
    reply = send_file(model, mimetype="application/gzip", etag=False, conditional=False)
    reply.headers["ETag"] = model.name
    reply.headers["filename"] = model.name
    return reply
