"""`python -m bot.staff.app --port 5056 [--host 127.0.0.1]`: the staff console.

One Flask app. Everything except /health, the sign-in page and the console's
own CSS/JS needs a signed-in member of staff (bot/staff/web/auth.py); every
form and JSON POST carries a CSRF token (Flask-WTF); pages are sent with a
strict Content-Security-Policy, so the console has no inline script or style.
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, jsonify
from flask_wtf.csrf import CSRFProtect

from bot.clinic_file import ClinicFile
from bot.content import ContentStore
from bot.content.edits import ContentPaths
from bot.http_security import CONTENT_SECURITY_POLICY
from bot.settings import Settings, get_settings
from bot import log_format, log_masking
from bot.privacy import restrict_new_files
from bot.staff import retention
from bot.staff.conversations import ConversationStoreError, tracker_url

logger = logging.getLogger(__name__)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: Flask-WTF checks the Referer of HTTPS POSTs.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass(frozen=True)
class StaffConfig:
    """Where the console reads and writes; kept on app.extensions["staff"]."""

    database_url: str
    tracker_db_url: str
    paths: ContentPaths
    retention_days: int
    web_build_dir: Path
    widget_src_dir: Path
    store: ContentStore
    clinic: ClinicFile


def secret_key(settings: Settings) -> str:
    """STAFF_SECRET_KEY, else a random key kept in var/staff_secret (mode 0600).

    Persisting it keeps staff signed in across restarts and lets several
    console workers on one machine share sessions.
    """
    given = os.environ.get("STAFF_SECRET_KEY", "").strip()
    if given:
        return given
    path = settings.root / "var" / "staff_secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="utf-8").strip()


def _tracker_db_url(settings: Settings) -> str:
    """The conversation store endpoints.yml configures, for Insights and the Safety review.

    One the console cannot read does not stop it (callback requests still
    need working): those pages stay empty, and the retention job, which
    works the store out again at each run, logs and audits the problem.
    """
    try:
        return tracker_url(settings)
    except ConversationStoreError as problem:
        logger.error("Conversation store: %s", problem)
        return ""


def create_app(settings: Settings | None = None, *, tracker_db_url: str | None = None,
               nlu_dir: Path | None = None, secret: str | None = None) -> Flask:
    settings = settings or get_settings()
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=secret or secret_key(settings),
        SESSION_COOKIE_NAME="staff_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # Browsers accept Secure cookies from http://localhost; set
        # STAFF_COOKIE_SECURE=0 only to reach a test console by another name over http.
        SESSION_COOKIE_SECURE=os.environ.get("STAFF_COOKIE_SECURE", "1") != "0",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the signed-in session
        MAX_CONTENT_LENGTH=256 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.extensions["staff"] = StaffConfig(
        database_url=settings.database_url,
        tracker_db_url=tracker_db_url if tracker_db_url is not None else _tracker_db_url(settings),
        paths=ContentPaths(settings.content_dir, nlu_dir or settings.nlu_dir, settings.clinic_file),
        retention_days=settings.retention_days,
        web_build_dir=settings.web_build_dir,
        widget_src_dir=settings.root / "web" / "src",
        # Staff edit what is on disk now: a hand edit made a moment ago must show on the next
        # page, or an editor works from the old text (seen as a flaky browser test). Hashing
        # the content files per console request costs microseconds; the assistant, which
        # answers far more requests, keeps its one-second check.
        store=ContentStore(settings.content_dir, check_interval=0.0),
        clinic=ClinicFile(settings.clinic_file),
    )
    from bot.db import engine_for

    engine_for(settings.database_url)  # creates the staff tables on first start

    from bot.staff.web import (admin, answers, auth, callbacks, errors, insights, live, models, pages,
                               safety)

    # auth first: its before_request turns strangers away before the CSRF check runs.
    for blueprint in (auth.bp, pages.bp, answers.bp, callbacks.bp, live.bp, insights.bp, safety.bp,
                      models.bp, admin.bp):
        app.register_blueprint(blueprint)
    CSRFProtect(app)
    errors.register(app)

    @app.get("/health")
    def health():
        return jsonify(status="ok")

    @app.after_request
    def security_headers(response):
        response.headers.update(SECURITY_HEADERS)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def warm_up() -> None:
    """Load the reading-grade dictionary now (about 5 s), not on the first preview."""
    from bot.content.readability import reading_grade

    threading.Thread(target=reading_grade, args=("Warm up.",), name="warm-up", daemon=True).start()


def serve(app: Flask, host: str, port: int) -> None:
    """waitress when installed (a production WSGI server), else Werkzeug's threaded server."""
    try:
        from waitress import serve as waitress_serve
    except ImportError:
        logger.info("waitress is not installed; using Werkzeug's server")
        app.run(host=host, port=port, threaded=True, use_reloader=False, debug=False)
        return
    # waitress buffers a whole body before Flask sees it: cap it at the same size.
    waitress_serve(app, host=host, port=port, threads=8, ident="staff-console",
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.staff.app", description=__doc__)
    parser.add_argument("--port", type=int, default=get_settings().staff_port)
    parser.add_argument("--host", default="127.0.0.1",
                        help="loopback by default; put a TLS proxy in front to reach it from elsewhere")
    args = parser.parse_args(argv)
    restrict_new_files()
    log_masking.install()
    log_format.configure("staff", logging.INFO)  # text, or JSON with LOG_FORMAT=json
    settings = get_settings()
    app = create_app(settings)
    config: StaffConfig = app.extensions["staff"]
    # None: the store endpoints.yml configures, read again at each run.
    retention.start_scheduler(config.database_url, None, config.retention_days)
    warm_up()
    print(f"Staff console on http://{args.host}:{args.port}/", flush=True)
    serve(app, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
