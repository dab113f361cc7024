"""Signing in and out, and turning away every request without a signed-in member."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, g, jsonify, redirect, render_template, request, session,
                   url_for)

from bot.staff import accounts, audit
from bot.staff.web.common import config, wants_json

bp = Blueprint("auth", __name__)
# Everything else needs a signed-in member of staff.
# The model server checks its own token (bot/staff/web/models.py).
PUBLIC_ENDPOINTS = {"auth.login", "health", "static", "models.live_model"}


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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if g.member is not None:
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    email = request.form.get("email", "")
    database_url = config().database_url
    try:
        member = accounts.sign_in(database_url, email, request.form.get("password", ""))
    except accounts.SignInRefused as refused:
        audit.record(database_url, accounts.normalise_email(email)[:254],
                     "auth.locked_out" if refused.locked else "auth.sign_in_failed")
        return render_template("login.html", error=str(refused), email=email,
                               next=request.form.get("next", "")), 429 if refused.locked else 401
    session.clear()  # a fresh session (and CSRF token) at every sign-in
    session["token"] = accounts.open_session(database_url, member)
    audit.record(database_url, f"{member.title} <{member.email}>", "auth.signed_in")
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
def logout():
    token = session.get("token")
    if token:
        accounts.close_session(config().database_url, token)
    session.clear()
    return redirect(url_for("auth.login"))
