"""Separation of duties in the console: admins never set passwords or their own roles;
reset codes; sign-in throttling per client over HTTP (429 + Retry-After)."""
from __future__ import annotations

import re

from bot.staff import accounts, audit
from staff_helpers import PASSWORD, csrf_token, sign_in

CODE = re.compile(r"\b[2-9A-Z]{5}(?:-[2-9A-Z]{5}){3}\b")
NEW_PASSWORD = "a passphrase only I know"


def user_id(console, email: str) -> int:
    return next(u.id for u in accounts.list_users(console.database_url) if u.email == email)


def roles_of(console, email: str) -> str:
    return next(u.roles for u in accounts.list_users(console.database_url) if u.email == email)


def post_change(client, console, email: str, **form):
    token = csrf_token(client, "/staff")
    return client.post(f"/staff/{user_id(console, email)}", data={"csrf_token": token, **form},
                       follow_redirects=True)


def reset(client, email: str, code: str, password: str = NEW_PASSWORD):
    return client.post("/reset-password", data={
        "csrf_token": csrf_token(client, "/reset-password"), "email": email, "code": code,
        "password": password, "password_again": password})


def test_an_admin_cannot_change_their_own_roles(console):
    admin = console.signed_in("admin@clinic.example", "admin")
    for roles in (["admin", "reviewer"], ["admin", "editor", "reviewer"], ["front_desk"]):
        page = post_change(admin, console, "admin@clinic.example", action="roles", roles=roles)
        assert "Not changed: you cannot change the roles of your own account" in page.text
    assert roles_of(console, "admin@clinic.example") == "admin"
    refused = audit.recent(console.database_url, action="staff.change_refused")
    assert len(refused) == 3 and refused[0]["details"]["action"] == "roles"
    staff_page = admin.get("/staff").text
    assert staff_page.count('name="action" value="roles"') == 0  # no form for oneself


def test_an_admin_changes_other_peoples_roles_and_the_log_shows_before_and_after(console):
    admin = console.signed_in("admin@clinic.example", "admin")
    console.add_user("nurse@clinic.example", "editor")
    page = post_change(admin, console, "nurse@clinic.example", action="roles",
                       roles=["editor", "reviewer"])
    assert "nurse@clinic.example: done." in page.text
    assert roles_of(console, "nurse@clinic.example") == "editor,reviewer"
    entry = audit.recent(console.database_url, action="staff.roles")[0]
    assert entry["details"] == {"before": ["editor"], "after": ["editor", "reviewer"]}
    assert entry["actor"] == "admin (admin) <admin@clinic.example>"


def test_an_admin_cannot_close_their_own_account(console):
    admin = console.signed_in("admin@clinic.example", "admin")
    page = post_change(admin, console, "admin@clinic.example", action="deactivate")
    assert "Not changed" in page.text
    assert admin.get("/staff").status_code == 200


def test_an_admin_cannot_set_another_persons_password(console):
    admin = console.signed_in("admin@clinic.example", "admin")
    console.add_user("nurse@clinic.example", "editor")
    page = post_change(admin, console, "nurse@clinic.example", action="password",
                       password="the admin's choice here")
    assert "Not changed: unknown action" in page.text
    assert 'type="password"' not in admin.get("/staff").text
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD)
    refused = sign_in(console.client(), "nurse@clinic.example", "the admin's choice here")
    assert refused.status_code == 401


def test_a_reset_code_is_shown_once_and_the_person_sets_their_own_password(console):
    admin = console.signed_in("admin@clinic.example", "admin")
    console.add_user("nurse@clinic.example", "editor")
    token = csrf_token(admin, "/staff")
    issued = admin.post(f"/staff/{user_id(console, 'nurse@clinic.example')}",
                        data={"csrf_token": token, "action": "reset_code"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    code = CODE.search(issued.text).group(0)
    # Shown in that one response only: not on the staff page, in a cookie or in the log.
    assert code not in admin.get("/staff").text
    assert code not in str(issued.headers)
    assert code not in str(audit.recent(console.database_url))
    assert audit.recent(console.database_url, action="staff.reset_code_issued")[0]["target"] == \
        "nurse@clinic.example"

    nurse = console.client()
    nurse.environ_base["REMOTE_ADDR"] = "203.0.113.20"
    done = reset(nurse, "nurse@clinic.example", code)
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert "Your password is set" in nurse.get("/login").text
    assert sign_in(nurse, "nurse@clinic.example", NEW_PASSWORD).status_code == 302
    entry = audit.recent(console.database_url, action="staff.password_reset")[0]
    assert entry["actor"] == "nurse (editor) <nurse@clinic.example>"
    assert entry["details"]["code_issued_by"].startswith("admin (admin)")  # details mask emails
    assert entry["details"]["client"] == "203.0.113.20"
    again = reset(console.client(), "nurse@clinic.example", code, "yet another passphrase")
    assert again.status_code == 401 and "works once" in again.text


def test_a_new_person_gets_a_code_not_a_password_from_the_admin(console):
    admin = console.signed_in("admin@clinic.example", "admin")
    added = admin.post("/staff", data={"csrf_token": csrf_token(admin, "/staff"),
                                       "email": "new@clinic.example", "title": "New nurse",
                                       "roles": ["editor"], "password": PASSWORD})
    assert added.status_code == 200 and "Account created" in added.text
    code = CODE.search(added.text).group(0)
    assert sign_in(console.client(), "new@clinic.example", PASSWORD).status_code == 401
    assert reset(console.client(), "new@clinic.example", code).status_code == 302
    assert sign_in(console.client(), "new@clinic.example", NEW_PASSWORD).status_code == 302


def test_no_reset_code_for_oneself(console):
    admin = console.signed_in("admin@clinic.example", "admin")
    page = post_change(admin, console, "admin@clinic.example", action="reset_code")
    assert "Not changed: you cannot issue a reset code for your own account" in page.text
    assert not CODE.search(page.text)


def test_the_reset_page_checks_the_rules_and_throttles_wrong_codes(console):
    client = console.client()
    differ = client.post("/reset-password", data={
        "csrf_token": csrf_token(client, "/reset-password"), "email": "nurse@clinic.example",
        "code": "ABCDE", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "!"})
    assert differ.status_code == 400 and "differ" in differ.text
    assert reset(client, "nurse@clinic.example", "ABCDE", "short").status_code == 400
    for _ in range(5):
        assert reset(client, "nurse@clinic.example", "WRONG-CODE").status_code == 401
    paused = reset(client, "nurse@clinic.example", "WRONG-CODE")
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) > 0
    assert "Too many" in paused.text


def test_sign_in_throttling_pauses_the_strangers_browser_not_the_person(console):
    console.add_user("nurse@clinic.example", "editor")
    stranger = console.client()
    stranger.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for _ in range(5):
        assert sign_in(stranger, "nurse@clinic.example", "a guess").status_code == 401
    for _ in range(10):
        paused = sign_in(stranger, "nurse@clinic.example", PASSWORD)
        assert paused.status_code == 429 and "Retry-After" in paused.headers
    nurse = console.client()
    nurse.environ_base["REMOTE_ADDR"] = "203.0.113.20"
    assert sign_in(nurse, "nurse@clinic.example", PASSWORD).status_code == 302
    # Ten refusals, one audit entry: a flood must not become a flood of writes.
    throttled = audit.recent(console.database_url, action="auth.sign_in_throttled")
    assert len(throttled) == 1 and throttled[0]["details"]["client"] == "198.51.100.7"
    assert len(audit.recent(console.database_url, action="auth.sign_in_failed")) == 5


def test_x_forwarded_for_counts_only_behind_a_trusted_proxy(console, monkeypatch):
    console.add_user("nurse@clinic.example", "editor")
    stranger = console.client()
    for n in range(6):  # a made-up header per try does not escape the pause
        stranger.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        status = sign_in(stranger, "nurse@clinic.example", "a guess").status_code
    assert status == 429

    monkeypatch.setenv("STAFF_TRUSTED_PROXIES", "1")  # the console behind one TLS proxy
    behind_proxy = console.client()
    behind_proxy.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    behind_proxy.environ_base["HTTP_X_FORWARDED_FOR"] = "spoofed, 198.51.100.7"
    for _ in range(5):
        sign_in(behind_proxy, "nurse@clinic.example", "a guess")
    assert sign_in(behind_proxy, "nurse@clinic.example", PASSWORD).status_code == 429
    behind_proxy.environ_base["HTTP_X_FORWARDED_FOR"] = "spoofed, 203.0.113.20"
    assert sign_in(behind_proxy, "nurse@clinic.example", PASSWORD).status_code == 302


def test_people_change_their_own_password_with_the_current_one(console):
    nurse = console.signed_in("nurse@clinic.example", "editor")
    other_browser = console.client()
    sign_in(other_browser, "nurse@clinic.example", PASSWORD)
    form = {"csrf_token": csrf_token(nurse, "/account/password"), "current_password": "wrong one",
            "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    assert nurse.post("/account/password", data=form).status_code == 400
    form["current_password"] = PASSWORD
    assert nurse.post("/account/password", data=form).status_code == 302
    assert nurse.get("/answers").status_code == 200  # this browser stays signed in
    assert other_browser.get("/answers").status_code == 302  # the other one does not
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", NEW_PASSWORD)
    assert audit.recent(console.database_url, action="staff.password_changed")[0]["target"] == \
        "nurse@clinic.example"
