"""Safety review pages: only HTTP here; bot.staff.safety_review does the work."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from bot.staff import safety_review
from bot.staff.web.common import config, log_change, member, requires

bp = Blueprint("safety", __name__)
KIND_LABELS = {"crisis": "Crisis", "emergency": "Emergency", "possible_risk": "Possible risk (check-in)",
               "distress": "Distress"}


@bp.get("/safety")
@requires("safety.view")
def index():
    rows = safety_review.review_list(config().database_url, config().tracker_db_url)
    return render_template("safety.html", rows=rows, kinds=KIND_LABELS,
                           can_review=member().can("safety.review"))


@bp.post("/safety/<int:event_id>")
@requires("safety.review")
def mark(event_id: int):
    verdict = request.form.get("verdict", "")
    try:
        message = safety_review.mark(config().database_url, config().tracker_db_url, event_id,
                                     verdict, member().signature)
    except KeyError:
        abort(404)
    except ValueError:
        flash("Choose true alarm or false alarm.", "error")
        return redirect(url_for(".index"))
    log_change("safety.reviewed", f"event {event_id}",
               {"conversation": message.conversation_id, "kind": message.kind, "verdict": verdict})
    flash(f"Marked as a {verdict.replace('_', ' ')}.", "ok")
    return redirect(url_for(".index"))


@bp.get("/safety/export.yml")
@requires("safety.review")
def export():
    log_change("safety.exported")
    return Response(safety_review.export_cases(config().database_url), mimetype="text/yaml",
                    headers={"Content-Disposition": "attachment; filename=safety_review_cases.yml"})
