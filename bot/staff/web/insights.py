"""Insights: what visitors asked that had no answer, thumbs-down, answer use."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from bot.db import session_scope
from bot.models import Feedback
from bot.staff import conversations, grouping, training_examples
from bot.staff.web.common import config, log_change, requires

bp = Blueprint("insights", __name__)
MAX_GROUPS = 50


def feedback_counts(database_url: str) -> dict[str, Counter]:
    """Per answer id: how many thumbs up and down."""
    counts: dict[str, Counter] = {}
    with session_scope(database_url) as session:
        rows = session.execute(select(Feedback.answer_id, Feedback.helpful, func.count())
                               .group_by(Feedback.answer_id, Feedback.helpful)).all()
    for answer_id, helpful, count in rows:
        counts.setdefault(answer_id, Counter())["up" if helpful else "down"] += count
    return counts


@bp.get("/insights")
@requires("insights.view")
def index():
    cfg = config()
    library = cfg.store.library()
    groups = grouping.group_similar(conversations.fallback_messages(cfg.tracker_db_url))
    votes = feedback_counts(cfg.database_url)
    disliked = sorted(((answer_id, c["down"], c["up"]) for answer_id, c in votes.items() if c["down"]),
                      key=lambda row: (-row[1], row[0]))
    usage = conversations.answer_usage(cfg.tracker_db_url)
    used = [(answer, usage.get(answer.id, 0)) for answer in library.answers.values() if answer.approved]
    used.sort(key=lambda row: (-row[1], row[0].question))
    questions = sorted(((a.id, a.question) for a in library.answers.values() if a.approved),
                       key=lambda row: row[1])
    return render_template("insights.html", groups=groups[:MAX_GROUPS], total_groups=len(groups),
                           disliked=disliked, used=used, answers=library.answers,
                           questions=questions)


@bp.post("/insights/examples")
@requires("answers.edit")
def add_example():
    answer_id = request.form.get("answer_id", "")
    example = request.form.get("example", "")
    try:
        path = training_examples.add_example(config().paths.nlu_dir, answer_id, example)
    except training_examples.ExampleRefused as refused:
        flash(f"Not added: {refused}", "error")
    else:
        log_change("training.example_added", f"faq/{answer_id}",
                   {"file": path.name, "example": example})
        flash(f"Added to the examples of '{answer_id}' ({path.name}). It takes effect after the "
              "assistant is retrained: restart it with make run, which retrains when the "
              "training data changed.", "ok")
    return redirect(url_for(".index"))
