"""Staff accounts and the audit log (admin only).

Separation of duties: an admin changes other people's roles and accounts,
never their own, and never learns anyone's password. A new account or a
forgotten password gets a one-time reset code, shown once on the page that
issued it; the person sets their own password with it (/reset-password).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot.db import session_scope
from bot.models import StaffUser
from bot.staff import accounts, audit
from bot.staff.web.auth import client_address
from bot.staff.web.common import config, log_change, member, requires

bp = Blueprint("admin", __name__)


@bp.get("/staff")
@requires("staff.manage")
def staff():
    database_url = config().database_url
    users = accounts.list_users(database_url)
    return render_template("staff.html", users=users, me=member().id,
                           throttled=accounts.throttled_accounts(database_url,
                                                                 [u.email for u in users]),
                           roles=accounts.ROLES, descriptions=accounts.ROLE_DESCRIPTIONS,
                           code_hours=int(accounts.RESET_CODE_LIFETIME.total_seconds() // 3600))


def _log_code(issued: accounts.IssuedCode) -> None:
    """Never the code itself. The address lets a later reset be matched to who could use it."""
    log_change("staff.reset_code_issued", issued.email,
               {"expires_at": issued.expires_at.isoformat(timespec="minutes"),
                "client": client_address()})


def _show_code(issued: accounts.IssuedCode, new_account: bool):
    """The code, once: rendered into this response (never stored in a cookie or a flash)."""
    return render_template("reset_code.html", issued=issued, new_account=new_account)


@bp.post("/staff")
@requires("staff.manage")
def add():
    form = request.form
    database_url = config().database_url
    try:
        added = accounts.add_user(database_url, form.get("email", ""), form.get("title", ""),
                                  form.getlist("roles"))
        issued = accounts.issue_reset_code(database_url, added.id, by=member())
    except accounts.AccountError as refused:
        flash(f"Not added: {refused}", "error")
        return redirect(url_for(".staff"))
    log_change("staff.user_added", added.email, {"title": added.title,
                                                 "roles": sorted(added.roles)})
    _log_code(issued)
    return _show_code(issued, new_account=True)


def _email_of(user_id: int) -> str:
    with session_scope(config().database_url) as session:
        user = session.get(StaffUser, user_id)
        return user.email if user else ""


@bp.post("/staff/<int:user_id>")
@requires("staff.manage")
def change(user_id: int):
    database_url = config().database_url
    email = _email_of(user_id)
    action = request.form.get("action", "")
    me = member()
    try:
        if not email:
            raise accounts.AccountError("no such account")
        if action == "roles":
            before, after = accounts.change_roles(database_url, user_id,
                                                  request.form.getlist("roles"), by=me)
            details = {"before": before, "after": after}
        elif action in ("deactivate", "reactivate"):
            accounts.set_active(database_url, user_id, action == "reactivate", by=me)
            details = {}
        elif action == "unlock":
            details = {"failed_sign_ins_cleared": accounts.unlock(database_url, email)}
        elif action == "reset_code":
            issued = accounts.issue_reset_code(database_url, user_id, by=me)
            _log_code(issued)
            return _show_code(issued, new_account=False)
        else:
            raise accounts.AccountError("unknown action")
    except accounts.AccountError as refused:
        log_change("staff.change_refused", email, {"action": action, "reason": str(refused)})
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
