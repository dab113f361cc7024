"""Signing in and out, reset codes, one's own password; turning away everyone else.

Sign-in, reset codes and password changes are throttled per client address
(bot.staff.accounts.Gate): a refused attempt gets 429 with Retry-After and
costs the server no password hashing.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, flash, g, jsonify, make_response, redirect, render_template,
                   request, session, url_for)

from bot.staff import accounts, audit
from bot.staff.web.common import config, member, wants_json

bp = Blueprint("auth", __name__)
# Everything else needs a signed-in member of staff.
# The model server checks its own token (bot/staff/web/models.py).
PUBLIC_ENDPOINTS = {"auth.login", "auth.reset_password", "health", "static", "models.live_model"}


@bp.before_app_request
def require_sign_in():
    g.member = None
    token = session.get("token")
    if token:
        g.member = accounts.resume_session(config().database_url, token)
        if g.member is None:
            session.clear()  # timed out, signed out elsewhere, or account closed
    if g.member is not None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if wants_json() or request.method != "GET":
        return jsonify(error="Sign in first."), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _safe_next(target: str | None) -> str:
    """Only paths on this site, so the sign-in page cannot bounce people elsewhere.

    Parsed, not string-checked: browsers drop tabs and newlines and read a
    backslash as a slash, so "/\\t/evil.example" or "/\\evil.example" would
    become "//evil.example", another site. Any such character refuses the target.
    """
    home = url_for("pages.home")
    if not target or "\\" in target or any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return home
    return target


def client_address() -> str:
    """The address of the browser, for throttling and the audit log.

    The peer address, unless STAFF_TRUSTED_PROXIES says that many reverse
    proxies in front append to X-Forwarded-For: then the entry the nearest
    trusted proxy saw. Entries further left are whatever the client claimed,
    so they are never used (a stranger could pick a fresh one per attempt).
    """
    hops = accounts.ThrottleSettings.from_env().trusted_proxies
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")
                 if part.strip()]
    if hops > 0 and len(forwarded) >= hops:
        return forwarded[-hops]
    return request.remote_addr or "unknown"


def _refused_page(template: str, refused: accounts.SignInRefused, status: int, **values):
    """The form again with the reason; 429 with Retry-After when throttled."""
    if refused.throttled:
        status = 429
    response = make_response(render_template(template, error=str(refused), **values), status)
    if refused.throttled:
        response.headers["Retry-After"] = str(refused.retry_after)
    return response


def _audit_refusal(database_url: str, actor: str, action: str, refused: accounts.SignInRefused,
                   client: str) -> None:
    """Failures are logged each time (each cost a check); throttled ones once per window.

    A flood of refused requests must not become a flood of audit writes,
    each of which takes the audit chain's lock.
    """
    if refused.throttled:
        action = action.replace("_failed", "_throttled")
        if not accounts.first_in_window(database_url, action, accounts.client_key(client)):
            return
    audit.record(database_url, actor, action, details={"client": client, "reason": str(refused)})


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.member is not None:
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    database_url = config().database_url
    client = client_address()
    try:
        member = accounts.sign_in(database_url, email, request.form.get("password", ""),
                                  client=client)
    except accounts.SignInRefused as refused:
        _audit_refusal(database_url, accounts.normalise_email(email)[:254], "auth.sign_in_failed",
                       refused, client)
        return _refused_page("login.html", refused, 401, email=email,
                             next=request.form.get("next", ""))
    _start_session(database_url, member)
    audit.record(database_url, member.actor, "auth.signed_in", details={"client": client})
    return redirect(_safe_next(request.form.get("next")))


def _start_session(database_url: str, member: accounts.StaffMember) -> None:
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    session["token"] = accounts.open_session(database_url, member)


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    """Set one's own password with the one-time code an admin gave them."""
    if request.method == "GET":
        return render_template("reset_password.html", min_length=accounts.MIN_PASSWORD_LENGTH)
    form = request.form
    email = form.get("email", "")
    database_url = config().database_url
    client = client_address()
    page = {"email": email, "min_length": accounts.MIN_PASSWORD_LENGTH}
    if form.get("password", "") != form.get("password_again", ""):
        return render_template("reset_password.html", error="The two passwords differ.", **page), 400
    try:
        member, issued_by = accounts.reset_password(database_url, email, form.get("code", ""),
                                                    form.get("password", ""), client=client)
    except accounts.AccountError as refused:
        return render_template("reset_password.html", error=f"Not changed: {refused}.", **page), 400
    except accounts.SignInRefused as refused:
        _audit_refusal(database_url, accounts.normalise_email(email)[:254], "auth.reset_failed",
                       refused, client)
        return _refused_page("reset_password.html", refused, 401, **page)
    audit.record(database_url, member.actor, "staff.password_reset", member.email,
                 {"code_issued_by": issued_by, "client": client})
    g.member = None
    session.clear()  # whoever was signed in on this browser is not any more
    flash("Your password is set. Sign in with it.", "ok")
    return redirect(url_for(".login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """A signed-in person changes their own password (the current one is required)."""
    page = {"min_length": accounts.MIN_PASSWORD_LENGTH}
    if request.method == "GET":
        return render_template("account_password.html", **page)
    form = request.form
    database_url = config().database_url
    who = member()
    client = client_address()
    if form.get("new_password", "") != form.get("new_password_again", ""):
        return render_template("account_password.html", error="The two new passwords differ.",
                               **page), 400
    try:
        accounts.change_password(database_url, who, form.get("current_password", ""),
                                 form.get("new_password", ""), client=client)
    except accounts.AccountError as refused:
        return render_template("account_password.html", error=f"Not changed: {refused}.",
                               **page), 400
    except accounts.SignInRefused as refused:
        _audit_refusal(database_url, who.actor, "auth.password_change_failed", refused, client)
        return _refused_page("account_password.html", refused, 400, **page)
    audit.record(database_url, who.actor, "staff.password_changed", who.email, {"client": client})
    _start_session(database_url, who)  # every other session of theirs has ended
    flash("Your password is changed. Other browsers signed in as you were signed out.", "ok")
    return redirect(url_for("pages.home"))


@bp.post("/logout")
def logout():
    token = session.get("token")
    if token:
        accounts.close_session(config().database_url, token)
    session.clear()
    return redirect(url_for("auth.login"))
