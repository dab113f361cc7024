"""Answers: the list by topic, the edit form with live preview, approval."""
from __future__ import annotations

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request,
                   send_from_directory, url_for)

from bot.content import edits, preview
from bot.content.example_content import is_example
from bot.content.model import TOPIC_TITLES, TOPICS, Answer
from bot.content.review import STALE_AFTER_DAYS, is_stale
from bot.staff.launch_check import APPROVAL_ACTION
from bot.staff.web.common import config, log_change, member, requires

bp = Blueprint("answers", __name__)


def _library():
    return config().store.library()


def _after_write() -> None:
    config().store.refresh(force=True)  # the list shows the change at once


def _four_eyes() -> edits.FourEyes:
    """Every change from the console records or checks who wrote the waiting text."""
    return edits.FourEyes(config().database_url, member().id)


def wrote_it(answer: Answer) -> bool:
    """Whether the signed-in member wrote this answer's text waiting for review."""
    pending_signature = answer.pending.edited_by if answer.pending else None
    return (member().id in edits.authors_of(config().database_url, answer.id)
            or pending_signature == member().signature)


@bp.get("/answers")
@requires("answers.view")
def index():
    library = _library()
    wanted = request.args.get("show", "")
    groups = []
    counts = {"waiting": 0, "draft": 0, "stale": 0, "example": 0}
    for topic, answers in library.by_topic().items():
        rows = []
        for answer in answers:
            row = {"answer": answer, "stale": is_stale(answer), "waiting": answer.pending is not None,
                   "example": answer.approved and is_example(answer)}
            counts["waiting"] += row["waiting"]
            counts["draft"] += not answer.approved
            counts["stale"] += row["stale"]
            counts["example"] += row["example"]
            if (wanted == "waiting" and not row["waiting"]) or (wanted == "draft" and answer.approved) \
                    or (wanted == "stale" and not row["stale"]) \
                    or (wanted == "example" and not row["example"]):
                continue
            rows.append(row)
        if rows:
            groups.append((TOPIC_TITLES.get(topic, topic), rows))
    return render_template("answers.html", groups=groups, counts=counts, show=wanted,
                           stale_days=STALE_AFTER_DAYS)


@bp.get("/answers/<answer_id>")
@requires("answers.view")
def edit(answer_id: str):
    answer = _library().answers.get(answer_id)
    if answer is None:
        abort(404)
    shown = answer.pending or answer
    return render_template(
        "answer_edit.html", answer=answer, version=edits.version_of(answer),
        question=shown.question, text=shown.text, sources=", ".join(shown.sources),
        stale=is_stale(answer), all_sources=_library().sources.values(),
        topic_title=TOPIC_TITLES.get(answer.topic, answer.topic), own_work=wrote_it(answer),
        example=is_example(answer))


@bp.post("/answers/<answer_id>")
@requires("answers.edit")
def save(answer_id: str):
    draft = edits.Draft.from_form(request.form.get("question", ""), request.form.get("text", ""),
                                  request.form.get("sources", ""))
    try:
        change = edits.save_draft(config().paths, answer_id, draft, member().signature,
                                  request.form.get("version"), four_eyes=_four_eyes())
    except edits.EditRefused as refused:
        flash(f"Not saved: {refused}", "error")
        return redirect(url_for(".edit", answer_id=answer_id))
    _after_write()
    log_change("answer.draft_saved", answer_id, change)
    if change["waits_for_review"]:
        flash("Saved. Visitors keep seeing the approved text until a reviewer approves "
              "your edit (someone other than you).", "ok")
    else:
        flash("Draft saved. A reviewer other than you must approve it before visitors see it.",
              "ok")
    return redirect(url_for(".edit", answer_id=answer_id))


@bp.post("/answers/<answer_id>/approve")
@requires("answers.approve")
def approve(answer_id: str):
    try:
        change = edits.approve(config().paths, answer_id, member().signature,
                               request.form.get("version"), four_eyes=_four_eyes())
    except edits.ApprovalBlocked as blocked:
        for finding in blocked.findings:
            flash(f"Not approved: {finding.message}", "error")
        return redirect(url_for(".edit", answer_id=answer_id))
    except edits.EditRefused as refused:
        flash(f"Not approved: {refused}", "error")
        return redirect(url_for(".edit", answer_id=answer_id))
    _after_write()
    log_change(APPROVAL_ACTION, answer_id, change)  # the record the launch check trusts
    flash("Approved. Visitors get this text within a few seconds.", "ok")
    return redirect(url_for(".edit", answer_id=answer_id))


@bp.post("/answers/<answer_id>/discard")
@requires("answers.edit")
def discard(answer_id: str):
    try:
        change = edits.discard_pending(config().paths, answer_id, request.form.get("version"),
                                       four_eyes=_four_eyes())
    except edits.EditRefused as refused:
        flash(f"Nothing discarded: {refused}", "error")
        return redirect(url_for(".edit", answer_id=answer_id))
    _after_write()
    log_change("answer.edit_discarded", answer_id, change)
    flash("The waiting edit was discarded; the approved text is unchanged.", "ok")
    return redirect(url_for(".edit", answer_id=answer_id))


@bp.route("/answers/new", methods=["GET", "POST"])
@requires("answers.edit")
def new():
    form = request.form if request.method == "POST" else request.args
    values = {"topic": form.get("topic", ""), "answer_id": form.get("answer_id", ""),
              "question": form.get("question", ""), "text": form.get("text", ""),
              "sources": form.get("sources", "")}
    if request.method == "POST":
        draft = edits.Draft.from_form(values["question"], values["text"], values["sources"])
        try:
            change = edits.create_draft(config().paths, values["topic"], values["answer_id"], draft,
                                        four_eyes=_four_eyes())
        except edits.EditRefused as refused:
            flash(f"Not saved: {refused}", "error")
        else:
            _after_write()
            log_change("answer.created", values["answer_id"].strip(), change)
            flash("Draft created. A reviewer must approve it, and it needs training examples "
                  "before visitors can reach it.", "ok")
            return redirect(url_for(".edit", answer_id=values["answer_id"].strip()))
    return render_template("answer_new.html", values=values, topics=TOPICS,
                           topic_titles=TOPIC_TITLES, all_sources=_library().sources.values())


@bp.post("/api/preview")
@requires("answers.view")
def preview_api():
    """What the edit page shows while staff type: the widget message, grade, findings."""
    data = request.get_json(silent=True) or {}
    answer_id = str(data.get("answer_id", "")).strip()
    draft = edits.Draft.from_form(str(data.get("question", "")), str(data.get("text", "")),
                                  data.get("sources", "") if isinstance(data.get("sources"), (str, list)) else "")
    topic = str(data.get("topic", ""))
    is_new = bool(data.get("new"))
    answer_id = answer_id or "new_answer"
    shown = preview.preview_draft(config().paths, _library(), config().clinic.values(),
                                  answer_id, draft, topic, new=is_new)
    return jsonify(
        message=shown.message,
        grade=shown.grade,
        findings=[{"severity": f.severity, "message": f.message, "line": f.line,
                   "file": f.file.name} for f in shown.findings],
    )


@bp.get("/widget-assets/<path:name>")
@requires("answers.view")
def widget_asset(name: str):
    """The widget's own CSS and rendering modules, so the preview is the widget's markup."""
    if name == "widget.css":
        return send_from_directory(config().web_build_dir, "widget.css")
    if name.endswith(".js") and "/" not in name:
        return send_from_directory(config().widget_src_dir, name, mimetype="text/javascript")
    abort(404)
