"""Staff accounts and the audit log (admin only)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot.db import session_scope
from bot.models import StaffUser, utcnow
from bot.staff import accounts, audit
from bot.staff.web.common import config, log_change, member, requires

bp = Blueprint("admin", __name__)


@bp.get("/staff")
@requires("staff.manage")
def staff():
    database_url = config().database_url
    users = accounts.list_users(database_url)
    with session_scope(database_url) as session:
        locked = {u.email for u in users if accounts.locked_until(session, u.email, utcnow())}
    return render_template("staff.html", users=users, locked=locked, roles=accounts.ROLES,
                           descriptions=accounts.ROLE_DESCRIPTIONS,
                           min_length=accounts.MIN_PASSWORD_LENGTH)


@bp.post("/staff")
@requires("staff.manage")
def add():
    form = request.form
    try:
        added = accounts.add_user(config().database_url, form.get("email", ""), form.get("title", ""),
                                  form.getlist("roles"), form.get("password", ""))
    except accounts.AccountError as refused:
        flash(f"Not added: {refused}", "error")
    else:
        log_change("staff.user_added", added.email, {"title": added.title,
                                                     "roles": sorted(added.roles)})
        flash(f"Account created for {added.email}. Give them the password in person.", "ok")
    return redirect(url_for(".staff"))


@bp.post("/staff/<int:user_id>")
@requires("staff.manage")
def change(user_id: int):
    database_url = config().database_url
    with session_scope(database_url) as session:
        user = session.get(StaffUser, user_id)
        email = user.email if user else ""
    action = request.form.get("action", "")
    try:
        if not email:
            raise accounts.AccountError("no such account")
        if action == "roles":
            if user_id == member().id and "admin" not in request.form.getlist("roles"):
                raise accounts.AccountError("you cannot remove your own admin role")
            accounts.update_user(database_url, user_id, roles=request.form.getlist("roles"))
            details = {"roles": request.form.getlist("roles")}
        elif action in ("deactivate", "reactivate"):
            if user_id == member().id:
                raise accounts.AccountError("you cannot close your own account")
            accounts.update_user(database_url, user_id, active=action == "reactivate")
            details = {}
        elif action == "unlock":
            details = {"failed_sign_ins_cleared": accounts.unlock(database_url, email)}
        elif action == "password":
            accounts.set_password(database_url, email, request.form.get("password", ""))
            details = {}
        else:
            raise accounts.AccountError("unknown action")
    except accounts.AccountError as refused:
        flash(f"Not changed: {refused}", "error")
        return redirect(url_for(".staff"))
    log_change(f"staff.{action}", email, details)
    flash(f"{email}: done.", "ok")
    return redirect(url_for(".staff"))


@bp.get("/audit")
@requires("audit.view")
def audit_log():
    action = request.args.get("action", "")
    entries = audit.recent(config().database_url, limit=300, action=action)
    return render_template("audit.html", entries=entries, action=action)
