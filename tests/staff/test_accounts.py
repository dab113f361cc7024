"""Accounts: argon2 hashes, role rules, sign-in throttling, reset codes, server-side sessions."""
from __future__ import annotations

import datetime as dt
import time

import limits.storage.memory
import pytest
from sqlalchemy import select

from bot.db import session_scope
from bot.models import PasswordResetCode, StaffUser, utcnow
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


def refuse(database_url, email, password, client=accounts.LOCAL_CLIENT):
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(database_url, email, password, client=client)
    return refused.value


def test_five_failures_pause_only_the_client_that_made_them(console):
    console.add_user("nurse@clinic.example", "editor")
    for _ in range(5):
        assert not refuse(console.database_url, "nurse@clinic.example", "guess", "198.51.100.7").throttled
    # The stranger's sixth try is turned away, even with the right password...
    stopped = refuse(console.database_url, "nurse@clinic.example", PASSWORD, "198.51.100.7")
    assert stopped.throttled and 14 * 60 < stopped.retry_after <= 15 * 60
    assert "Too many failed sign-ins" in str(stopped) and "15 minutes" in str(stopped)
    # ...but the nurse, on her own computer, is not locked out.
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD,
                            client="203.0.113.20").email == "nurse@clinic.example"


def test_a_stranger_cannot_lock_out_the_real_person(console):
    console.add_user("nurse@clinic.example", "editor")
    for _ in range(50):
        refuse(console.database_url, "nurse@clinic.example", "guess", "198.51.100.7")
    for _ in range(3):  # signing in, out and in again all day is fine
        assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD,
                                client="203.0.113.20")


def test_throttled_attempts_cost_no_password_hashing(console, monkeypatch):
    """Refused before argon2: each verify costs 64 MiB, so refusals must be cheap."""
    monkeypatch.setenv("STAFF_SIGN_IN_LIMIT_PER_CLIENT", "3 per 15 minutes")
    verified = []
    real_verify = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda *args: verified.append(1) or real_verify(*args))
    for n in range(3):  # many emails from one client: each costs one hash...
        refuse(console.database_url, f"guess{n}@clinic.example", "guess", "198.51.100.7")
    assert len(verified) == 3
    for n in range(20):  # ...until the client's limit, then none
        stopped = refuse(console.database_url, f"other{n}@clinic.example", "guess", "198.51.100.7")
        assert stopped.throttled and "from your network" in str(stopped)
    assert len(verified) == 3


def test_the_account_ceiling_stops_guessing_from_many_addresses(console, monkeypatch):
    monkeypatch.setenv("STAFF_SIGN_IN_LIMIT_PER_ACCOUNT", "10 per hour")
    console.add_user("nurse@clinic.example", "editor")
    for n in range(10):  # two guesses from each of five addresses: none is paused itself
        refuse(console.database_url, "nurse@clinic.example", "guess", f"198.51.100.{n // 2}")
    stopped = refuse(console.database_url, "nurse@clinic.example", PASSWORD, "203.0.113.20")
    assert stopped.throttled and "for this account" in str(stopped)
    assert accounts.throttled_accounts(console.database_url, ["nurse@clinic.example"]) == \
        {"nurse@clinic.example"}
    assert accounts.unlock(console.database_url, "nurse@clinic.example") == 10
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD,
                            client="203.0.113.20")


def test_unknown_emails_are_throttled_the_same_so_it_reveals_nothing(console):
    for _ in range(5):
        refuse(console.database_url, "nobody@clinic.example", "guess")
    assert refuse(console.database_url, "nobody@clinic.example", "guess").throttled


def test_a_success_clears_that_clients_failures(console):
    console.add_user("nurse@clinic.example", "editor")
    for _ in range(3):
        for _ in range(4):
            assert not refuse(console.database_url, "nurse@clinic.example", "typo").throttled
        accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD)


def test_the_pause_ends_after_fifteen_minutes(console, monkeypatch):
    clock = type("Clock", (), {"now": time.time(), "time": lambda self: self.now})()
    monkeypatch.setattr(limits.storage.memory, "time", clock)  # the store's clock only
    console.add_user("nurse@clinic.example", "editor")
    for _ in range(5):
        refuse(console.database_url, "nurse@clinic.example", "guess")
    clock.now += 14 * 60
    assert refuse(console.database_url, "nurse@clinic.example", PASSWORD).throttled
    clock.now += 60 + 1
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD)


def test_throttle_settings_are_read_from_the_environment(monkeypatch):
    assert accounts.ThrottleSettings.from_env() == accounts.ThrottleSettings()
    defaults = accounts.ThrottleSettings()
    assert (defaults.per_account_client, defaults.per_account, defaults.storage_url) == \
        ("5 per 15 minutes", "100 per hour", "memory://")
    monkeypatch.setenv("RATE_LIMIT_STORAGE_URL", "redis://cache.internal:6379")
    monkeypatch.setenv("STAFF_TRUSTED_PROXIES", "1")
    monkeypatch.setenv("STAFF_SIGN_IN_LIMIT_PER_CLIENT", "50 per hour")
    settings = accounts.ThrottleSettings.from_env()
    assert (settings.storage_url, settings.trusted_proxies, settings.per_client) == \
        ("redis://cache.internal:6379", 1, "50 per hour")
    monkeypatch.setenv("STAFF_SIGN_IN_LIMIT_PER_ACCOUNT", "lots")
    with pytest.raises(ValueError):
        accounts.ThrottleSettings.from_env()


def test_an_unreachable_rate_limit_store_still_throttles(console, monkeypatch, caplog):
    monkeypatch.setenv("RATE_LIMIT_STORAGE_URL", "redis://127.0.0.1:1")  # nothing listens
    console.add_user("nurse@clinic.example", "editor")
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD)
    for _ in range(5):
        refuse(console.database_url, "nurse@clinic.example", "guess")
    assert refuse(console.database_url, "nurse@clinic.example", PASSWORD).throttled
    assert "counting in this process" in caplog.text


@pytest.mark.parametrize("address, key", [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),  # the same subscriber
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("not an address", "not an address"),
])
def test_clients_are_counted_by_address_or_ipv6_64(address, key):
    assert accounts.client_key(address) == key


# --- roles and reset codes ------------------------------------------------------------


def test_nobody_changes_their_own_roles_or_closes_their_own_account(console):
    admin = console.add_user("admin@clinic.example", "admin")
    other = console.add_user("nurse@clinic.example", "editor")
    for roles in (["admin", "reviewer"], ["editor"], ["admin"]):
        with pytest.raises(accounts.AccountError, match="your own account"):
            accounts.change_roles(console.database_url, admin.id, roles, by=admin)
    with pytest.raises(accounts.AccountError, match="your own account"):
        accounts.set_active(console.database_url, admin.id, False, by=admin)
    assert accounts.change_roles(console.database_url, other.id, ["editor", "reviewer"], by=admin) \
        == (["editor"], ["editor", "reviewer"])
    roles = {u.email: u.roles for u in accounts.list_users(console.database_url)}
    assert roles == {"admin@clinic.example": "admin", "nurse@clinic.example": "editor,reviewer"}


def test_a_reset_code_lets_the_person_set_their_own_password_once(console):
    admin = console.add_user("admin@clinic.example", "admin")
    nurse = console.add_user("nurse@clinic.example", "editor")
    token = accounts.open_session(console.database_url, nurse)
    issued = accounts.issue_reset_code(console.database_url, nurse.id, by=admin)
    assert issued.email == "nurse@clinic.example" and len(issued.code) == 23
    # The current password keeps working until the person uses the code.
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", PASSWORD)
    typed = issued.code.lower().replace("-", " ")  # as read out over the phone
    member, issued_by = accounts.reset_password(console.database_url, "Nurse@clinic.example", typed,
                                                "my very own passphrase")
    assert member.id == nurse.id and issued_by == "admin (admin) <admin@clinic.example>"
    assert accounts.resume_session(console.database_url, token) is None
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", "my very own passphrase")
    refuse(console.database_url, "nurse@clinic.example", PASSWORD)
    with pytest.raises(accounts.SignInRefused, match="works once"):
        accounts.reset_password(console.database_url, "nurse@clinic.example", issued.code,
                                "a second new passphrase")


def test_reset_codes_are_stored_hashed_and_expire(console):
    admin = console.add_user("admin@clinic.example", "admin")
    nurse = console.add_user("nurse@clinic.example", "editor")
    issued = accounts.issue_reset_code(console.database_url, nurse.id, by=admin,
                                       now=utcnow() - dt.timedelta(hours=24, minutes=1))
    with session_scope(console.database_url) as session:
        stored = session.execute(select(PasswordResetCode)).scalar_one()
        assert issued.code not in str(vars(stored)) and issued.code.replace("-", "") not in str(vars(stored))
        assert stored.expires_at - stored.created_at == dt.timedelta(hours=24)
    with pytest.raises(accounts.SignInRefused):
        accounts.reset_password(console.database_url, "nurse@clinic.example", issued.code,
                                "my very own passphrase")


def test_a_new_code_replaces_the_old_and_codes_belong_to_one_person(console):
    admin = console.add_user("admin@clinic.example", "admin")
    nurse = console.add_user("nurse@clinic.example", "editor")
    desk = console.add_user("desk@clinic.example", "front_desk")
    first = accounts.issue_reset_code(console.database_url, nurse.id, by=admin)
    second = accounts.issue_reset_code(console.database_url, nurse.id, by=admin)
    with pytest.raises(accounts.SignInRefused):
        accounts.reset_password(console.database_url, "nurse@clinic.example", first.code,
                                "my very own passphrase")
    with pytest.raises(accounts.SignInRefused):  # the nurse's code does not open the desk's account
        accounts.reset_password(console.database_url, "desk@clinic.example", second.code,
                                "my very own passphrase")
    assert accounts.sign_in(console.database_url, "desk@clinic.example", PASSWORD).id == desk.id
    accounts.reset_password(console.database_url, "nurse@clinic.example", second.code,
                            "my very own passphrase")


def test_reset_codes_follow_the_rules(console):
    admin = console.add_user("admin@clinic.example", "admin")
    nurse = console.add_user("nurse@clinic.example", "editor")
    with pytest.raises(accounts.AccountError, match="your own account"):
        accounts.issue_reset_code(console.database_url, admin.id, by=admin)
    issued = accounts.issue_reset_code(console.database_url, nurse.id, by=admin)
    with pytest.raises(accounts.AccountError, match="at least"):
        accounts.reset_password(console.database_url, "nurse@clinic.example", issued.code, "short")
    accounts.set_active(console.database_url, nurse.id, False, by=admin)  # closing kills the code
    with pytest.raises(accounts.AccountError, match="closed"):
        accounts.issue_reset_code(console.database_url, nurse.id, by=admin)
    accounts.set_active(console.database_url, nurse.id, True, by=admin)
    with pytest.raises(accounts.SignInRefused):
        accounts.reset_password(console.database_url, "nurse@clinic.example", issued.code,
                                "my very own passphrase")


def test_wrong_reset_codes_are_throttled(console):
    admin = console.add_user("admin@clinic.example", "admin")
    nurse = console.add_user("nurse@clinic.example", "editor")
    issued = accounts.issue_reset_code(console.database_url, nurse.id, by=admin)
    for n in range(5):
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.reset_password(console.database_url, "nurse@clinic.example", f"WRONG-{n}",
                                    "my very own passphrase", client="198.51.100.7")
        assert not refused.value.throttled
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.reset_password(console.database_url, "nurse@clinic.example", issued.code,
                                "my very own passphrase", client="198.51.100.7")
    assert refused.value.throttled
    accounts.reset_password(console.database_url, "nurse@clinic.example", issued.code,
                            "my very own passphrase", client="203.0.113.20")


def test_accounts_added_without_a_password_cannot_sign_in_until_reset(console):
    admin = console.add_user("admin@clinic.example", "admin")
    added = accounts.add_user(console.database_url, "new@clinic.example", "New (editor)", ["editor"])
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(console.database_url, "new@clinic.example", "")
    issued = accounts.issue_reset_code(console.database_url, added.id, by=admin)
    accounts.reset_password(console.database_url, "new@clinic.example", issued.code,
                            "my very own passphrase")
    assert accounts.sign_in(console.database_url, "new@clinic.example", "my very own passphrase")


def test_changing_ones_own_password_needs_the_current_one(console):
    nurse = console.add_user("nurse@clinic.example", "editor")
    other_browser = accounts.open_session(console.database_url, nurse)
    with pytest.raises(accounts.SignInRefused, match="current password"):
        accounts.change_password(console.database_url, nurse, "not my password", "a new passphrase!")
    accounts.change_password(console.database_url, nurse, PASSWORD, "a new passphrase!")
    assert accounts.resume_session(console.database_url, other_browser) is None
    assert accounts.sign_in(console.database_url, "nurse@clinic.example", "a new passphrase!")


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
