"""Accounts: argon2 hashes, role rules, lock-out after failed sign-ins, server-side sessions."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import StaffUser, utcnow
from bot.staff import accounts
from staff_helpers import PASSWORD


def test_passwords_are_stored_as_argon2id_hashes(console):
    console.add_user("nurse@clinic.example", "editor")
    with session_scope(console.database_url) as session:
        stored = session.execute(select(StaffUser)).scalar_one().password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


@pytest.mark.parametrize("email, roles, password, problem", [
    ("nurse@clinic.example", ["editor"], "short", "at least"),
    ("nurse@clinic.example", ["doctor"], PASSWORD, "roles must be"),
    ("nurse@clinic.example", [], PASSWORD, "roles must be"),
    ("not-an-email", ["editor"], PASSWORD, "email"),
])
def test_bad_accounts_are_refused(console, email, roles, password, problem):
    with pytest.raises(accounts.AccountError, match=problem):
        accounts.add_user(console.database_url, email, "Title", roles, password)


def test_an_email_has_one_account_whatever_its_case(console):
    console.add_user("nurse@clinic.example", "editor")
    with pytest.raises(accounts.AccountError, match="already"):
        console.add_user("Nurse@Clinic.Example", "reviewer")


def test_roles_grant_only_their_permissions():
    editor = accounts.StaffMember(1, "e@x.org", "E", frozenset({"editor"}))
    desk = accounts.StaffMember(2, "d@x.org", "D", frozenset({"front_desk"}))
    admin = accounts.StaffMember(3, "a@x.org", "A", frozenset({"admin"}))
    director = accounts.StaffMember(4, "r@x.org", "R", frozenset({"admin", "reviewer"}))
    assert editor.can("answers.edit") and not editor.can("answers.approve")
    assert not editor.can("callbacks.work") and not editor.can("staff.manage")
    assert desk.can("callbacks.work") and not desk.can("answers.view")
    assert admin.can("staff.manage") and not admin.can("answers.approve")
    assert director.can("answers.approve") and director.can("staff.manage")


def test_sign_in_with_the_right_password_only(console):
    console.add_user("nurse@clinic.example", "editor")
    member = accounts.sign_in(console.database_url, "NURSE@clinic.example ", PASSWORD)
    assert member.email == "nurse@clinic.example"
    with pytest.raises(accounts.SignInRefused, match="Wrong email or password"):
        accounts.sign_in(console.database_url, "nurse@clinic.example", "wrong password here")
    with pytest.raises(accounts.SignInRefused, match="Wrong email or password"):
        accounts.sign_in(console.database_url, "nobody@clinic.example", PASSWORD)


def test_five_failures_lock_the_account_for_fifteen_minutes(console):
    console.add_user("nurse@clinic.example", "editor")
    start = utcnow()
    for minute in range(5):
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.sign_in(console.database_url, "nurse@clinic.example", "guess",
                             now=start + dt.timedelta(minutes=minute))
        assert not refused.value.locked
    # The right password does not help while locked, and trying does not extend the lock.
    for minute in (5, 10, 18):
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD,
                             now=start + dt.timedelta(minutes=minute))
        assert refused.value.locked
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD,
                            now=start + dt.timedelta(minutes=19, seconds=1))


def test_unknown_emails_lock_too_so_lockout_reveals_nothing(console):
    for _ in range(5):
        with pytest.raises(accounts.SignInRefused):
            accounts.sign_in(console.database_url, "nobody@clinic.example", "guess")
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(console.database_url, "nobody@clinic.example", "guess")
    assert refused.value.locked


def test_failures_spread_over_time_or_broken_by_a_success_do_not_lock(console):
    console.add_user("nurse@clinic.example", "editor")
    start = utcnow() - dt.timedelta(hours=2)
    for step in range(8):  # one failure every 5 minutes, a success after every fourth
        now = start + dt.timedelta(minutes=5 * step)
        if step % 4 == 3:
            accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD, now=now)
        else:
            with pytest.raises(accounts.SignInRefused) as refused:
                accounts.sign_in(console.database_url, "nurse@clinic.example", "guess", now=now)
            assert not refused.value.locked


def test_an_admin_can_unlock(console):
    console.add_user("nurse@clinic.example", "editor")
    for _ in range(5):
        with pytest.raises(accounts.SignInRefused):
            accounts.sign_in(console.database_url, "nurse@clinic.example", "guess")
    assert accounts.unlock(console.database_url, "nurse@clinic.example") == 5
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD)


def test_sessions_end_on_sign_out_timeout_and_closed_accounts(console):
    member = console.add_user("nurse@clinic.example", "editor")
    token = accounts.open_session(console.database_url, member)
    assert accounts.resume_session(console.database_url, token) == member
    later = utcnow() + accounts.SESSION_IDLE + dt.timedelta(minutes=1)
    assert accounts.resume_session(console.database_url, token, now=later) is None

    token = accounts.open_session(console.database_url, member)
    accounts.close_session(console.database_url, token)
    assert accounts.resume_session(console.database_url, token) is None

    token = accounts.open_session(console.database_url, member)
    accounts.update_user(console.database_url, member.id, active=False)
    assert accounts.resume_session(console.database_url, token) is None
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD)


def test_a_new_password_ends_open_sessions(console):
    member = console.add_user("nurse@clinic.example", "editor")
    token = accounts.open_session(console.database_url, member)
    accounts.set_password(console.database_url, "nurse@clinic.example", "another long passphrase")
    assert accounts.resume_session(console.database_url, token) is None
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", "another long passphrase")
