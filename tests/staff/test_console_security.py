"""The console's doors: sign-in on every page and API, CSRF, roles, throttling, headers."""
from __future__ import annotations

import re

import pytest

from bot.staff.web.auth import PUBLIC_ENDPOINTS
from staff_helpers import PASSWORD, csrf_token, sign_in

SAMPLE_ARGS = {"answer_id": "about_history", "reference": "ABC234", "user_id": 1,
               "name": "widget.css", "filename": "console.css", "event_id": 1, "proposal_id": 1,
               "chat_id": 1}


def every_route(app):
    """(method, url, endpoint) for every rule the app serves."""
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            url = rule.build({k: SAMPLE_ARGS[k] for k in rule.arguments}, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url, rule.endpoint


def test_no_page_or_api_without_sign_in(console):
    client = console.client()
    checked = 0
    for method, url, endpoint in every_route(console.app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.open(url, method=method)
        checked += 1
        if method == "GET" and not url.startswith("/api/"):
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/login"), url
        else:
            assert response.status_code == 401, f"{method} {url}"
    assert checked >= 15
    assert client.get("/api/preview").status_code in (401, 405)


def test_only_health_sign_in_reset_and_console_assets_are_public(console):
    # The model server checks its own token (tests/staff/test_model_updates.py);
    # the reset page needs a one-time code (tests/staff/test_admin_duties.py).
    assert PUBLIC_ENDPOINTS == {"auth.login", "auth.reset_password", "health", "static",
                                "models.live_model"}
    client = console.client()
    assert client.get("/health").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/reset-password").status_code == 200
    assert client.get("/static/console.js").status_code == 200


def test_session_cookie_is_secure_httponly_and_strict(console):
    console.add_user("nurse@clinic.example", "editor")
    response = sign_in(console.client(), "nurse@clinic.example", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie


def test_sign_out_ends_the_session_on_the_server(console):
    client = console.signed_in("nurse@clinic.example", "editor")
    stolen = client.get_cookie("staff_session").value
    token = csrf_token(client, "/answers")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    other = console.client()
    other.set_cookie("staff_session", stolen)
    assert other.get("/answers").status_code == 302


def test_a_forged_csrf_token_is_rejected(console):
    client = console.signed_in("nurse@clinic.example", "editor")
    before = (console.paths.content_dir / "about.yml").read_text()
    form = {"question": "What is the history of ketamine?", "text": "Changed " * 30, "sources": "S1"}
    for forged in ({}, {"csrf_token": "forged"}, {"csrf_token": csrf_token(console.client())}):
        response = client.post("/answers/about_history", data={**form, **forged})
        assert response.status_code == 400
    assert (console.paths.content_dir / "about.yml").read_text() == before
    preview = client.post("/api/preview", json={"answer_id": "about_history", "text": "x"},
                          headers={"X-CSRFToken": "forged"})
    assert preview.status_code == 400 and "error" in preview.json
    good = client.post("/api/preview", json={"answer_id": "about_history", "text": "x"},
                       headers={"X-CSRFToken": csrf_token(client, "/answers")})
    assert good.status_code == 200


def test_the_sign_in_form_needs_a_csrf_token_too(console):
    console.add_user("nurse@clinic.example", "editor")
    response = console.client().post("/login", data={"email": "nurse@clinic.example",
                                                      "password": PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize("roles, method, url, allowed", [
    (("editor",), "POST", "/answers/about_history/approve", False),
    (("editor",), "GET", "/callbacks", False),
    (("editor",), "GET", "/staff", False),
    (("editor",), "GET", "/audit", False),
    (("editor",), "GET", "/insights", True),
    (("front_desk",), "GET", "/answers", False),
    (("front_desk",), "POST", "/answers/about_history", False),
    (("front_desk",), "GET", "/insights", False),
    (("front_desk",), "POST", "/api/preview", False),
    (("front_desk",), "GET", "/callbacks", True),
    (("admin",), "POST", "/answers/about_history", False),
    (("admin",), "POST", "/answers/about_history/approve", False),
    (("admin",), "POST", "/insights/examples", False),
    (("editor",), "POST", "/insights/proposals/1/accept", False),
    (("admin",), "POST", "/insights/proposals/1/accept", False),
    (("admin",), "POST", "/insights/proposals/1/decline", False),
    (("reviewer",), "POST", "/insights/proposals/1/accept", True),
    (("admin",), "GET", "/staff", True),
    (("reviewer",), "GET", "/callbacks", False),
    (("reviewer",), "POST", "/staff", False),
    (("reviewer",), "POST", "/staff/1", False),
    (("front_desk",), "GET", "/account/password", True),
])
def test_roles_are_enforced(console, roles, method, url, allowed):
    client = console.signed_in("person@clinic.example", *roles)
    token = csrf_token(client, "/")  # the start page of whatever the role may see
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": token}, headers={"X-CSRFToken": token})
    assert (response.status_code != 403) is allowed, (url, response.status_code)


def test_repeated_wrong_passwords_pause_that_browser_with_429(console):
    console.add_user("nurse@clinic.example", "editor")
    client = console.client()
    for _ in range(5):
        assert sign_in(client, "nurse@clinic.example", "wrong guess").status_code == 401
    paused = sign_in(client, "nurse@clinic.example", PASSWORD)
    assert paused.status_code == 429
    assert "Too many failed sign-ins" in paused.text and "15 minutes" in paused.text
    assert 14 * 60 < int(paused.headers["Retry-After"]) <= 15 * 60
    assert client.get("/answers").status_code == 302


def test_pages_carry_a_strict_csp_and_no_inline_script_or_style(console):
    client = console.signed_in("director@clinic.example", "reviewer", "admin", "front_desk")
    pages = [(console.client(), "/login")] + [(client, url) for url in (
        "/answers", "/answers/about_history", "/answers/new", "/insights",
                "/callbacks", "/staff", "/audit", "/account/password")] + [(console.client(), "/reset-password")]
    for browser, url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "unsafe" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), url
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", response.text), url


def test_answer_text_with_html_is_shown_inert(console):
    client = console.signed_in("nurse@clinic.example", "editor")
    token = csrf_token(client, "/answers/about_history")
    payload = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
    text = f"{payload} " + "Ketamine was made in the 1960s. " * 4
    response = client.post("/answers/about_history", data={
        "csrf_token": token, "question": "What is the history of <b>ketamine</b>?",
        "text": text, "sources": "S36"})
    assert response.status_code == 302
    page = client.get("/answers/about_history").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page and "<script>alert" not in page and "<b>ketamine" not in page


@pytest.mark.parametrize("target", [
    "//evil.example", "/\t/evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example",
    "/%09/evil.example".replace("%09", "\t"), " /evil", "/\n/evil.example", "javascript:alert(1)",
    "http:/evil.example", "/\x7f/evil.example",
])
def test_sign_in_never_redirects_off_site(target):
    from flask import Flask

    from bot.staff.web.auth import _safe_next

    app = Flask(__name__)
    app.add_url_rule("/", "pages.home", lambda: "")
    with app.test_request_context():
        assert _safe_next(target) == "/"


def test_sign_in_keeps_a_path_on_this_site():
    from flask import Flask

    from bot.staff.web.auth import _safe_next

    app = Flask(__name__)
    app.add_url_rule("/", "pages.home", lambda: "")
    with app.test_request_context():
        assert _safe_next("/callbacks?show=all") == "/callbacks?show=all"
