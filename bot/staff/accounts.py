"""Staff accounts: roles, password hashing, sign-in throttling, reset codes, sessions.

Passwords are hashed with argon2id (argon2-cffi). There are no default
accounts: the first admin is created with `python -m bot staff add-user`.

Separation of duties: admins manage accounts but never know anyone's
password. A new account, or a person who forgot their password, gets a
one-time reset code from an admin and sets the password themselves
(/reset-password). Nobody changes their own roles or closes their own account.

Sign-in throttling has no lock-out an outsider can trigger: failures for an
account slow down only the client (network address) they came from, plus a
much higher ceiling per account from everywhere. Refused attempts are
turned away before any argon2 work (each verify costs 64 MiB).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import delete, select, update

from bot.db import session_scope
from bot.models import LoginAttempt, PasswordResetCode, StaffSession, StaffUser, utcnow

logger = logging.getLogger(__name__)
ROLES = ("editor", "reviewer", "front_desk", "admin")
ROLE_DESCRIPTIONS = {
    "editor": "writes and edits answers as drafts; sees insights and proposes training examples",
    "reviewer": "everything an editor does, and approves other people's answers and training "
                "examples so visitors see them",
    "front_desk": "works the callback queue, sees callers' contact details, chats with visitors live",
    "admin": "manages staff accounts (roles, reset codes), reads the audit log, works the "
             "callback queue",
}
# What each role may do. Approval stays with reviewers only: it is a medical
# decision, so an admin who is also the medical director gets both roles.
# Four-eyes on top: a reviewer never approves text or examples they wrote
# (bot.content.edits, bot.content.training_examples).
PERMISSIONS = {
    "answers.view": {"editor", "reviewer", "admin"},
    "answers.edit": {"editor", "reviewer"},
    "answers.approve": {"reviewer"},
    "insights.view": {"editor", "reviewer", "admin"},
    # Accepting an example changes what the next model understands.
    "training.review": {"reviewer"},
    "callbacks.work": {"front_desk", "admin"},
    # Chatting with visitors live (issue #13): the people who answer the phone.
    "live.chat": {"front_desk"},
    # Judging whether a safety decision was right is a clinical call.
    "safety.view": {"reviewer", "front_desk", "admin"},
    "safety.review": {"reviewer"},
    # Publishing a model changes what visitors are told: a reviewer's call.
    "models.manage": {"reviewer"},
    "staff.manage": {"admin"},
    "audit.view": {"admin"},
}
MIN_PASSWORD_LENGTH = 12
SESSION_IDLE = dt.timedelta(minutes=60)
SESSION_MAX = dt.timedelta(hours=12)
RESET_CODE_LIFETIME = dt.timedelta(hours=24)
# No 0/O, 1/I/L or U: codes are read out over the phone and typed by hand.
RESET_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RESET_CODE_LENGTH = 20  # about 98 bits: guessing is hopeless even without throttling
LOCAL_CLIENT = "local"  # the client of direct calls (command line, tests)

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a wrong email takes as long
# as a wrong password and timing does not reveal who has an account.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A request the account rules refuse; the message is shown to staff."""


class SignInRefused(Exception):
    """A password or reset code that was not accepted, or too many tries.

    retry_after (seconds) is set when the attempt was throttled: it was turned
    away without checking anything, and the page answers 429 with Retry-After.
    """

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def throttled(self) -> bool:
        return self.retry_after is not None


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

    @property
    def actor(self) -> str:
        """Who the audit log names: title and email, so it is unambiguous."""
        return f"{self.title} <{self.email}>"


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


# --- throttling ---------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleSettings:
    """How many tries sign-in (and reset codes, and password changes) allow.

    The one place their environment variables are read:
      STAFF_SIGN_IN_LIMIT_PER_CLIENT          failures from one address, whatever the email
                                              (someone guessing many accounts); a clinic's
                                              office shares one address, so it is generous
      STAFF_SIGN_IN_LIMIT_PER_ACCOUNT_CLIENT  failures at one account from one address:
                                              a stranger's failures slow down only them
      STAFF_SIGN_IN_LIMIT_PER_ACCOUNT         failures at one account from everywhere, a
                                              ceiling against guessing from many addresses
                                              (ASVS 2.2.1: at most 100 an hour)
      RATE_LIMIT_STORAGE_URL                  memory:// (one process) or redis://host:6379
                                              so several console processes share counts
      STAFF_TRUSTED_PROXIES                   how many reverse proxies in front add
                                              X-Forwarded-For (0: use the peer address)
    Limits use the `limits` notation, e.g. "5 per 15 minutes".
    """

    per_client: str = "30 per 15 minutes"
    per_account_client: str = "5 per 15 minutes"
    per_account: str = "100 per hour"
    storage_url: str = "memory://"
    trusted_proxies: int = 0

    @classmethod
    def from_env(cls) -> "ThrottleSettings":
        def env(name: str, default: str) -> str:
            return os.environ.get(name, "").strip() or default

        settings = cls(
            per_client=env("STAFF_SIGN_IN_LIMIT_PER_CLIENT", cls.per_client),
            per_account_client=env("STAFF_SIGN_IN_LIMIT_PER_ACCOUNT_CLIENT", cls.per_account_client),
            per_account=env("STAFF_SIGN_IN_LIMIT_PER_ACCOUNT", cls.per_account),
            storage_url=env("RATE_LIMIT_STORAGE_URL", cls.storage_url),
            trusted_proxies=int(env("STAFF_TRUSTED_PROXIES", "0")),
        )
        for value in (settings.per_client, settings.per_account_client, settings.per_account):
            parse(value)  # a typo fails loudly at the first sign-in, not silently
        return settings


def client_key(address: str) -> str:
    """The unit a client is counted by: an IPv4 address, or an IPv6 /64.

    One IPv6 subscriber usually gets a whole /64, so counting single
    addresses would let one person rotate through billions of them.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(value: str) -> str:
    """Emails and addresses go into the rate-limit store (maybe a shared Redis) only as hashes."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _store_options(url: str) -> dict[str, float]:
    """Redis: give up within a second, so a dead cache cannot hang sign-in (see Throttle.call)."""
    if url.startswith(("redis://", "rediss://", "redis+unix://")):
        return {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
    return {}


class Throttle:
    """Moving-window counters in the configured store, with a per-process fallback.

    If the store (Redis) is unreachable, counting goes on in memory rather
    than either refusing every sign-in or counting nothing.
    """

    def __init__(self, settings: ThrottleSettings) -> None:
        self.settings = settings
        self.per_client = parse(settings.per_client)
        self.per_account_client = parse(settings.per_account_client)
        self.per_account = parse(settings.per_account)
        # The limiters hold weak references: keep the stores alive here.
        self._storage = storage_from_string(settings.storage_url, **_store_options(settings.storage_url))
        self._fallback_storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._fallback = MovingWindowRateLimiter(self._fallback_storage)
        # limits' memory store checks and adds without a lock; the console
        # serves several threads. (Redis does both in one script.)
        self._memory_lock = threading.Lock()
        self._local = isinstance(self._storage, MemoryStorage)

    def call(self, method: str, item: RateLimitItem, *ids: str):  # noqa: ANN201
        try:
            if self._local:
                with self._memory_lock:
                    return getattr(self._limiter, method)(item, *ids)
            return getattr(self._limiter, method)(item, *ids)
        except Exception:  # noqa: BLE001  e.g. redis.ConnectionError
            logger.warning("Rate-limit store %s failed; counting in this process",
                           self.settings.storage_url.split("@")[-1], exc_info=True)
            with self._memory_lock:
                return getattr(self._fallback, method)(item, *ids)

    def retry_after(self, item: RateLimitItem, *ids: str) -> int:
        reset, _remaining = self.call("get_window_stats", item, *ids)
        return max(1, math.ceil(reset - time.time()))


_throttles: dict[ThrottleSettings, Throttle] = {}
_throttles_lock = threading.Lock()


def throttle() -> Throttle:
    """The process's throttle for the current settings (one store per setting)."""
    settings = ThrottleSettings.from_env()
    with _throttles_lock:
        if settings not in _throttles:
            _throttles[settings] = Throttle(settings)
        return _throttles[settings]


@dataclass(frozen=True)
class Gate:
    """The counters of one kind of attempt ("sign_in", "reset", "password") at one database.

    The database URL is part of the keys, so two consoles sharing a Redis
    (or tests sharing a process) do not share counts.
    """

    throttle: Throttle
    scope: str

    def _ids(self, kind: str, *values: str) -> tuple[str, ...]:
        return ("staff", self.scope, kind, *values)

    def admit(self, email: str, client: str) -> None:
        """Turn the attempt away (SignInRefused with retry_after) if a limit is used up.

        Checked in order, and only the last check consumes: an attempt refused
        for its client never counts against the account's shared ceiling.
        Per account and client every attempt consumes and success clears, so
        it counts failures without a gap between checking and counting.
        """
        t, account, client = self.throttle, _key(email), _key(client_key(client))
        checks: tuple[tuple[RateLimitItem, tuple[str, ...], str], ...] = (
            (t.per_client, self._ids("client", client),
             "Too many sign-in attempts from your network. Try again in {minutes}."),
            (t.per_account, self._ids("account", account),
             "Too many failed sign-ins for this account. Try again in {minutes}, or ask an "
             "admin to clear them."),
        )
        for item, ids, message in checks:
            if not t.call("test", item, *ids):
                raise _throttled(message, t.retry_after(item, *ids))
        ids = self._ids("account_client", account, client)
        if not t.call("hit", t.per_account_client, *ids):
            raise _throttled("Too many failed sign-ins. Try again in {minutes}.",
                             t.retry_after(t.per_account_client, *ids))

    def failed(self, email: str, client: str) -> None:
        t = self.throttle
        t.call("hit", t.per_client, *self._ids("client", _key(client_key(client))))
        t.call("hit", t.per_account, *self._ids("account", _key(email)))

    def succeeded(self, email: str, client: str) -> None:
        t = self.throttle
        t.call("clear", t.per_account_client,
               *self._ids("account_client", _key(email), _key(client_key(client))))

    def failures(self, email: str) -> int:
        """Failures at the account, from everywhere, within its window."""
        t = self.throttle
        _reset, remaining = t.call("get_window_stats", t.per_account,
                                   *self._ids("account", _key(email)))
        return t.per_account.amount - remaining

    def blocked(self, email: str) -> bool:
        t = self.throttle
        return not t.call("test", t.per_account, *self._ids("account", _key(email)))

    def clear(self, email: str) -> None:
        t = self.throttle
        t.call("clear", t.per_account, *self._ids("account", _key(email)))


def _throttled(message: str, retry_after: int) -> SignInRefused:
    minutes = max(1, math.ceil(retry_after / 60))
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return SignInRefused(message.format(minutes=wait), retry_after=retry_after)


def gate(database_url: str, scope: str) -> Gate:
    return Gate(throttle(), f"{scope}:{_key(database_url)[:12]}")


_ONCE = parse("1 per 15 minutes")


def first_in_window(database_url: str, *ids: str) -> bool:
    """True once per 15 minutes for these ids: to log a flood of refusals once, not per request."""
    return bool(throttle().call("hit", _ONCE, "staff", "once", _key(database_url)[:12],
                                *(_key(value) for value in ids)))


# --- managing accounts ------------------------------------------------------------


def add_user(database_url: str, email: str, title: str, roles,
             password: str | None = None) -> StaffMember:
    """A new account. Without a password (the console) the person sets their own
    with a reset code; the command line sets one for the very first admin."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("give the person's work email address")
    if not title.strip():
        raise AccountError("give a title, e.g. 'Dr. Rivera, medical director'; approvals are "
                           "signed with it")
    role_set = parse_roles(roles)
    if password is not None:
        check_password_rules(password)
    # Nobody knows this one, so the account cannot be used before its reset code.
    password = password if password is not None else secrets.token_urlsafe(32)
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


def update_user(database_url: str, user_id: int, *, title: str | None = None,
                active: bool | None = None) -> StaffUser:
    """Title and open/closed. Roles change only through change_roles (its own rules)."""
    with session_scope(database_url) as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise AccountError("no such account")
        if title is not None and title.strip():
            user.title = title.strip()
        if active is not None:
            user.active = active
        if active is False:
            # A closed account takes effect now, not at next sign-in, and its
            # waiting reset code dies with it.
            session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
            _drop_unused_codes(session, user_id)
        return user


def _not_yourself(by: StaffMember, user_id: int, what: str,
                  instead: str = "another admin has to") -> None:
    if by.id == user_id:
        raise AccountError(f"you cannot {what} your own account; {instead}")


def change_roles(database_url: str, user_id: int, roles, *,
                 by: StaffMember) -> tuple[list[str], list[str]]:
    """Set someone else's roles; returns (before, after) for the audit log.

    Never one's own: granting yourself reviewer would let an admin publish
    medical text, and removing your own admin role could leave nobody.
    """
    _not_yourself(by, user_id, "change the roles of")
    role_set = parse_roles(roles)
    with session_scope(database_url) as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise AccountError("no such account")
        before = sorted(parse_roles(user.roles))
        user.roles = ",".join(sorted(role_set))
        # New rights take effect now, not at next sign-in.
        session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
    return before, sorted(role_set)


def set_active(database_url: str, user_id: int, active: bool, *, by: StaffMember) -> None:
    _not_yourself(by, user_id, "close or reopen")
    update_user(database_url, user_id, active=active)


def set_password(database_url: str, email: str, password: str) -> None:
    """The operator's way in (`python -m bot staff set-password`), e.g. for the only admin.

    The console has no way to set another person's password: admins issue
    reset codes instead.
    """
    check_password_rules(password)
    with session_scope(database_url) as session:
        user = session.execute(
            select(StaffUser).where(StaffUser.email == normalise_email(email))).scalar_one_or_none()
        if user is None:
            raise AccountError(f"{email} has no account")
        _store_password(session, user, password)


def _store_password(session, user: StaffUser, password: str) -> None:  # noqa: ANN001
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = utcnow()
    # Whoever knew the old password is signed out everywhere, and older codes die.
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    _drop_unused_codes(session, user.id)


def unlock(database_url: str, email: str) -> int:
    """Clear an account's sign-in ceiling (failures from everywhere); returns how many.

    Only a ceiling hit by guessing from many addresses needs this: failures
    from one client slow down only that client and clear themselves.
    """
    email = normalise_email(email)
    sign_ins = gate(database_url, "sign_in")
    failures = sign_ins.failures(email)
    sign_ins.clear(email)
    return failures


def throttled_accounts(database_url: str, emails: list[str]) -> set[str]:
    """The emails whose sign-in ceiling is used up, for the admin page."""
    sign_ins = gate(database_url, "sign_in")
    return {email for email in emails if sign_ins.blocked(normalise_email(email))}


# --- signing in ---------------------------------------------------------------------


def sign_in(database_url: str, email: str, password: str, *,
            client: str = LOCAL_CLIENT) -> StaffMember:
    """The member for a correct email and password; every failure says the same.

    client is the network address the attempt came from (see Gate.admit).
    """
    email = normalise_email(email)
    sign_ins = gate(database_url, "sign_in")
    sign_ins.admit(email, client)  # raises before any argon2 work
    with session_scope(database_url) as session:
        user = session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
        ok = _verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = ok and user is not None and user.active
        if ok and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        member = _member(user) if ok else None
    if member is None:
        sign_ins.failed(email, client)
        raise SignInRefused("Wrong email or password.")
    sign_ins.succeeded(email, client)
    return member


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(database_url: str, member: StaffMember, current: str, new: str, *,
                    client: str = LOCAL_CLIENT) -> None:
    """A signed-in person changes their own password; the current one is required.

    Throttled like sign-in: a borrowed, unlocked browser must not become a
    way to guess the password. Ends every session of the person (the console
    opens a fresh one for the browser that made the change).
    """
    check_password_rules(new)  # first: a too-short choice is not a guess
    passwords = gate(database_url, "password")
    passwords.admit(member.email, client)
    with session_scope(database_url) as session:
        user = session.get(StaffUser, member.id)
        ok = user is not None and user.active and _verify(user.password_hash, current)
        if ok:
            _store_password(session, user, new)
    if not ok:
        passwords.failed(member.email, client)
        raise SignInRefused("Your current password is not right.")
    passwords.succeeded(member.email, client)


# --- reset codes --------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    """A reset code as shown once to the admin who issued it."""

    email: str
    code: str
    expires_at: dt.datetime


def _code_hash(code: str) -> str:
    """Of the code as typed, ignoring case, spaces and dashes."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(cleaned.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(RESET_CODE_ALPHABET) for _ in range(RESET_CODE_LENGTH))
    return "-".join(raw[i:i + 5] for i in range(0, RESET_CODE_LENGTH, 5))


def _drop_unused_codes(session, user_id: int) -> None:  # noqa: ANN001
    session.execute(delete(PasswordResetCode).where(
        PasswordResetCode.user_id == user_id, PasswordResetCode.used_at.is_(None)))


def issue_reset_code(database_url: str, user_id: int, *, by: StaffMember,
                     now: dt.datetime | None = None) -> IssuedCode:
    """A new one-time code for someone else; any older unused code stops working.

    Only its hash is stored; the admin sees the code once. Not for oneself:
    an admin changes their own password with their current one.
    """
    _not_yourself(by, user_id, "issue a reset code for",
                  "change your password with your current one (your name, top right)")
    now = now or utcnow()
    code = _new_code()
    with session_scope(database_url) as session:
        user = session.get(StaffUser, user_id)
        if user is None:
            raise AccountError("no such account")
        if not user.active:
            raise AccountError("the account is closed; reopen it first")
        _drop_unused_codes(session, user_id)
        session.add(PasswordResetCode(user_id=user_id, code_hash=_code_hash(code),
                                      issued_by=by.actor, created_at=now,
                                      expires_at=now + RESET_CODE_LIFETIME))
        return IssuedCode(user.email, code, now + RESET_CODE_LIFETIME)


def _redeem(session, email: str, code: str, now: dt.datetime) -> tuple[StaffUser, str] | None:  # noqa: ANN001
    """Use up the code if it is right for email; returns the user and who issued it."""
    user = session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
    if user is None or not user.active:
        return None
    wanted = _code_hash(code)
    for row in session.execute(select(PasswordResetCode).where(
            PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None),
            PasswordResetCode.expires_at > now)).scalars():
        if hmac.compare_digest(row.code_hash, wanted):
            # Conditional, so two requests racing with one code cannot both use it.
            claimed = session.execute(update(PasswordResetCode).where(
                PasswordResetCode.id == row.id, PasswordResetCode.used_at.is_(None))
                .values(used_at=now)).rowcount
            return (user, row.issued_by) if claimed == 1 else None
    return None


def reset_password(database_url: str, email: str, code: str, password: str, *,
                   client: str = LOCAL_CLIENT, now: dt.datetime | None = None
                   ) -> tuple[StaffMember, str]:
    """Set one's own password with a reset code; returns the member and who issued the code.

    Throttled like sign-in. The password rules are checked first (they say
    nothing about the code, and breaking them is no guess); a wrong, used or
    expired code all read the same.
    """
    now = now or utcnow()
    email = normalise_email(email)
    check_password_rules(password)  # first: a too-short choice is not a guess
    resets = gate(database_url, "reset")
    resets.admit(email, client)
    with session_scope(database_url) as session:
        redeemed = _redeem(session, email, code, now)
        if redeemed is not None:
            user, issued_by = redeemed
            _store_password(session, user, password)
            member = _member(user)
    if redeemed is None:
        resets.failed(email, client)
        raise SignInRefused("That code does not work for this email. A code works once, for "
                            f"{RESET_CODE_LIFETIME.total_seconds() / 3600:.0f} hours; ask an "
                            "admin for a new one.")
    resets.succeeded(email, client)
    gate(database_url, "sign_in").clear(email)  # the person proved who they are
    return member, issued_by


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
    """Old sign-in records go with the retention purge: attempts written by older
    versions, idle sessions, and reset codes that expired before the cutoff."""
    with session_scope(database_url) as session:
        attempts = session.execute(delete(LoginAttempt).where(LoginAttempt.at < before)).rowcount
        session.execute(delete(StaffSession).where(StaffSession.last_seen_at < before))
        session.execute(delete(PasswordResetCode).where(PasswordResetCode.expires_at < before))
        return attempts or 0
