"""Staff accounts: roles, password hashing, sign-in lock-out, server-side sessions.

Passwords are hashed with argon2id (argon2-cffi). There are no default
accounts: the first admin is created with `python -m bot staff add-user`.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from bot.db import session_scope
from bot.models import LoginAttempt, StaffSession, StaffUser, utcnow

ROLES = ("editor", "reviewer", "front_desk", "admin")
ROLE_DESCRIPTIONS = {
    "editor": "writes and edits answers as drafts; sees insights and adds training examples",
    "reviewer": "everything an editor does, and approves answers so visitors see them",
    "front_desk": "works the callback queue and sees callers' contact details",
    "admin": "manages staff accounts, reads the audit log, works the callback queue",
}
# What each role may do. Approval stays with reviewers only: it is a medical
# decision, so an admin who is also the medical director gets both roles.
PERMISSIONS = {
    "answers.view": {"editor", "reviewer", "admin"},
    "answers.edit": {"editor", "reviewer"},
    "answers.approve": {"reviewer"},
    "insights.view": {"editor", "reviewer", "admin"},
    "callbacks.work": {"front_desk", "admin"},
    # Judging whether a safety decision was right is a clinical call.
    "safety.view": {"reviewer", "front_desk", "admin"},
    "safety.review": {"reviewer"},
    # Publishing a model changes what visitors are told: a reviewer's call.
    "models.manage": {"reviewer"},
    "staff.manage": {"admin"},
    "audit.view": {"admin"},
}
MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_IDLE = dt.timedelta(minutes=60)
SESSION_MAX = dt.timedelta(hours=12)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long
# as a wrong password and timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request the account rules refuse; the message is shown to staff."""


class SignInRefused(Exception):
    def __init__(self, message: str, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


@dataclass(frozen=True)
class StaffMember:
    """The signed-in person, detached from the database session."""

    id: int
    email: str
    title: str
    roles: frozenset[str]

    def can(self, permission: str) -> bool:
        return bool(self.roles & PERMISSIONS[permission])

    @property
    def signature(self) -> str:
        """How changes are signed in the YAML and the audit log."""
        return self.title


def _member(user: StaffUser) -> StaffMember:
    return StaffMember(user.id, user.email, user.title, parse_roles(user.roles))


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_roles(value: str | list[str] | tuple[str, ...]) -> frozenset[str]:
    items = value.split(",") if isinstance(value, str) else value
    roles = frozenset(r.strip() for r in items if r.strip())
    unknown = roles - set(ROLES)
    if unknown or not roles:
        raise AccountError(f"roles must be some of: {', '.join(ROLES)}")
    return roles


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"use a password of at least {MIN_PASSWORD_LENGTH} characters "
                           "(a short sentence is easy to remember)")


# --- managing accounts ------------------------------------------------------------


def add_user(database_url: str, email: str, title: str, roles, password: str) -> StaffMember:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("give the person's work email address")
    if not title.strip():
        raise AccountError("give a title, e.g. 'Dr. Rivera, medical director'; approvals are "
                           "signed with it")
    role_set = parse_roles(roles)
    check_password_rules(password)
    with session_scope(database_url) as session:
        if session.execute(select(StaffUser).where(StaffUser.email == email)).first():
            raise AccountError(f"{email} already has an account")
        user = StaffUser(email=email, title=title.strip(), roles=",".join(sorted(role_set)),
                         password_hash=_hasher.hash(password))
        session.add(user)
        session.flush()
        return _member(user)


def list_users(database_url: str) -> list[StaffUser]:
    with session_scope(database_url) as session:
        return list(session.execute(select(StaffUser).order_by(StaffUser.email)).scalars())


def update_user(database_url: str, user_id: int, *, roles=None, title: str | None = None,
                active: bool | None = None) -> StaffUser:
    with session_scope(database_url) as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise AccountError("no such account")
        if roles is not None:
            user.roles = ",".join(sorted(parse_roles(roles)))
        if title is not None and title.strip():
            user.title = title.strip()
        if active is not None:
            user.active = active
        if active is False or roles is not None:
            # New rights or a closed account take effect now, not at next sign-in.
            session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
        return user


def set_password(database_url: str, email: str, password: str) -> None:
    check_password_rules(password)
    with session_scope(database_url) as session:
        user = session.execute(
            select(StaffUser).where(StaffUser.email == normalise_email(email))).scalar_one_or_none()
        if user is None:
            raise AccountError(f"{email} has no account")
        user.password_hash = _hasher.hash(password)
        user.password_changed_at = utcnow()
        session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def unlock(database_url: str, email: str) -> int:
    """Forget recent failed sign-ins, e.g. after the person called the admin."""
    with session_scope(database_url) as session:
        result = session.execute(delete(LoginAttempt).where(
            LoginAttempt.email == normalise_email(email), LoginAttempt.succeeded.is_(False)))
        return result.rowcount or 0


# --- signing in ---------------------------------------------------------------------


def locked_until(session, email: str, now: dt.datetime) -> dt.datetime | None:  # noqa: ANN001
    """When the lock ends, if MAX_FAILURES failures within LOCK_MINUTES locked it."""
    window = dt.timedelta(minutes=LOCK_MINUTES)
    recent = list(session.execute(
        select(LoginAttempt).where(LoginAttempt.email == email,
                                   LoginAttempt.at > now - 2 * window)
        .order_by(LoginAttempt.at, LoginAttempt.id)).scalars())
    failures: list[dt.datetime] = []
    for attempt in recent:
        failures = [] if attempt.succeeded else failures + [attempt.at]
    until = None
    for first, last in zip(failures, failures[MAX_FAILURES - 1:]):
        if last - first <= window:
            until = last + window
    return until if until is not None and until > now else None


def sign_in(database_url: str, email: str, password: str,
            now: dt.datetime | None = None) -> StaffMember:
    """The member for a correct email and password; every failure says the same."""
    now = now or utcnow()
    email = normalise_email(email)
    with session_scope(database_url) as session:
        if locked_until(session, email, now) is not None:
            # Not recorded: retrying while locked neither extends nor ends the lock.
            raise SignInRefused(
                f"Too many failed sign-ins. Try again in {LOCK_MINUTES} minutes, or ask an "
                "admin to unlock your account.", locked=True)
        user = session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
        ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = ok and user is not None and user.active
        session.add(LoginAttempt(email=email, at=now, succeeded=ok))
        if ok and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        member = _member(user) if ok else None
    if member is None:  # raised after the commit, so the failure is counted
        raise SignInRefused("Wrong email or password.")
    return member


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- sessions -----------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(database_url: str, member: StaffMember) -> str:
    """A new random session token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    with session_scope(database_url) as session:
        session.add(StaffSession(token_hash=_token_hash(token), user_id=member.id))
    return token


def resume_session(database_url: str, token: str, now: dt.datetime | None = None) -> StaffMember | None:
    """The member behind a session token, or None if it ended or timed out."""
    now = now or utcnow()
    with session_scope(database_url) as session:
        row = session.execute(select(StaffSession).where(
            StaffSession.token_hash == _token_hash(token))).scalar_one_or_none()
        if row is None:
            return None
        user = session.get(StaffUser, row.user_id)
        expired = now - row.last_seen_at > SESSION_IDLE or now - row.created_at > SESSION_MAX
        if user is None or not user.active or expired:
            session.delete(row)
            return None
        if now - row.last_seen_at > dt.timedelta(seconds=60):
            row.last_seen_at = now  # written at most once a minute
        return _member(user)


def close_session(database_url: str, token: str) -> None:
    with session_scope(database_url) as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def purge_sign_in_records(database_url: str, before: dt.datetime) -> int:
    """Old sign-in attempts and sessions hold emails; they go with the retention purge."""
    with session_scope(database_url) as session:
        attempts = session.execute(delete(LoginAttempt).where(LoginAttempt.at < before)).rowcount
        session.execute(delete(StaffSession).where(StaffSession.last_seen_at < before))
        return attempts or 0
