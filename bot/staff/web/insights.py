"""Insights: what visitors asked that had no answer, thumbs-down, answer use."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from bot.content import training_examples
from bot.db import session_scope
from bot.models import Feedback
from bot.staff import conversations, grouping
from bot.staff.web.common import config, log_change, member, requires

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
                           questions=questions,
                           proposals=training_examples.proposals(cfg.database_url))


@bp.post("/insights/examples")
@requires("answers.edit")
def add_example():
    """Propose a wording as a training example; a different reviewer must accept it."""
    answer_id = request.form.get("answer_id", "")
    example = request.form.get("example", "")
    who = member()
    try:
        proposal = training_examples.propose(config().database_url, config().paths.nlu_dir,
                                             answer_id, example, proposer_id=who.id,
                                             proposer=who.actor)
    except training_examples.ExampleRefused as refused:
        flash(f"Not proposed: {refused}", "error")
    else:
        log_change("training.example_proposed", proposal.intent,
                   {"example": proposal.example, "proposal": proposal.id})
        flash(f"Proposed as an example of '{proposal.answer_id}'. Another reviewer must accept "
              "it before it becomes training data.", "ok")
    return redirect(url_for(".index"))


@bp.post("/insights/proposals/<int:proposal_id>/accept")
@requires("training.review")
def accept_example(proposal_id: int):
    try:
        proposal, path = training_examples.accept(config().database_url, config().paths.nlu_dir,
                                                  proposal_id, reviewer_id=member().id)
    except training_examples.ExampleRefused as refused:
        flash(f"Not added: {refused}", "error")
    else:
        log_change("training.example_added", proposal.intent,
                   {"file": path.name, **proposal.details})
        flash(f"Added to the examples of '{proposal.answer_id}' ({path.name}). It takes effect "
              "once the assistant is retrained and the new model published (page Model).", "ok")
    return redirect(url_for(".index"))


@bp.post("/insights/proposals/<int:proposal_id>/decline")
@requires("answers.edit")
def decline_example(proposal_id: int):
    """A reviewer declines, or the proposer withdraws their own proposal."""
    who = member()
    try:
        proposal = training_examples.decline(config().database_url, proposal_id, by_id=who.id,
                                             may_review=who.can("training.review"))
    except training_examples.ExampleRefused as refused:
        flash(f"Not changed: {refused}", "error")
    else:
        action = "withdrawn" if proposal.proposed_by_id == who.id else "declined"
        log_change(f"training.example_{action}", proposal.intent, proposal.details)
        flash(f"The proposed example was {action}.", "ok")
    return redirect(url_for(".index"))
