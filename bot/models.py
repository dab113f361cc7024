"""Every table of the project's database, in one place so migrations are easy to see."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, event

from bot.db import Base


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Handoff(Base):
    """A conversation staff must look at: a callback request or a crisis flag."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # "callback" or "crisis_flag"
    conversation_id = Column(String(128), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    urgent = Column(Boolean, nullable=False, default=False)
    reason = Column(String(64), nullable=False, default="")
    first_name = Column(String(80))
    contact = Column(String(254))
    contact_kind = Column(String(8))  # "phone" or "email"
    preferred_time = Column(String(120))
    consent = Column(Boolean, nullable=False, default=False)
    transcript = Column(Text, nullable=False, default="[]")  # JSON, contact details masked
    status = Column(String(16), nullable=False, default="open")  # open, contacted, closed
    notified_at = Column(DateTime)
    closed_at = Column(DateTime)
    closed_by = Column(String(254))
    staff_note = Column(Text)


class FlagSource(Base):
    """A conversation behind a crisis flag, and the client it came from.

    Crisis replies are never limited, but their side effects are: all crisis
    conversations from one client within a window share one urgent queue
    entry and one staff webhook (bot/handoff/store.py, issue #11). The first
    conversation's transcript is the flag's own; the others keep theirs here,
    so staff still read every one of them.
    """

    __tablename__ = "flag_sources"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), nullable=False, index=True)
    conversation_id = Column(String(128), nullable=False, unique=True)
    client_key = Column(String(64), index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    transcript = Column(Text)  # JSON; None for the flag's first conversation


class Feedback(Base):
    """A visitor's thumbs up or down on one answer."""

    __tablename__ = "feedback"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    answer_id = Column(String(80), nullable=False, index=True)
    helpful = Column(Boolean, nullable=False)


# --- Staff console (issue 6) -------------------------------------------------


class StaffUser(Base):
    """A person who signs in to the staff console.

    `roles` is a comma-separated set (editor, reviewer, front_desk, admin) so a
    small clinic's medical director can be both reviewer and admin. `title` is
    what approvals record as reviewed_by, e.g. "Dr. Rivera, medical director".
    """

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), unique=True, nullable=False, index=True)
    title = Column(String(120), nullable=False)
    roles = Column(String(120), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    password_changed_at = Column(DateTime, nullable=False, default=utcnow)


class StaffSession(Base):
    """A signed-in browser. The cookie holds only the random token, so signing
    out, deactivating an account or changing a password ends it server-side."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), unique=True, nullable=False, index=True)
    user_id = Column(Integer, nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)


class LoginAttempt(Base):
    """One sign-in try. No longer written: sign-in throttling moved to
    bot.staff.accounts (per client, in the rate-limit store). The table stays so
    the retention purge still clears rows that older versions wrote."""

    __tablename__ = "staff_login_attempts"

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    succeeded = Column(Boolean, nullable=False, default=False)


class AuditEntry(Base):
    """Who changed what, when. `details` is JSON (before/after values).

    Append-only and hash-chained (bot/staff/audit.py): entry_hash is sha256 over
    the entry's fields and prev_hash, the entry_hash of the entry before it.
    Rows written before the chain existed have neither (NULL).
    """

    __tablename__ = "staff_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    actor = Column(String(254), nullable=False)
    action = Column(String(64), nullable=False, index=True)
    target = Column(String(160), nullable=False, default="")
    details = Column(Text, nullable=False, default="{}")
    prev_hash = Column(String(64))
    entry_hash = Column(String(64))


class AuditCheckpoint(Base):
    """Written by the audit retention purge before it removes the oldest entries:
    the first entry kept and the hash it chains from, so the rest of the chain
    still verifies. Append-only like the log itself."""

    __tablename__ = "staff_audit_checkpoints"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    cutoff = Column(DateTime, nullable=False)
    first_kept_id = Column(Integer, nullable=False)
    anchor_hash = Column(String(64))  # NULL when the first kept entry predates the chain
    removed = Column(Integer, nullable=False)


def _append_only(_mapper, _connection, _target) -> None:  # noqa: ANN001
    raise RuntimeError("audit entries are append-only; only bot.staff.audit.purge_before "
                       "removes old ones")


# Catches ORM code that edits or deletes an entry on any database; the
# triggers bot.staff.audit installs also stop plain SQL.
event.listen(AuditEntry, "before_update", _append_only)
event.listen(AuditEntry, "before_delete", _append_only)


class PasswordResetCode(Base):
    """A one-time code an admin gives a person to set their own password.

    Only the sha256 of the code is stored (it is long and random, so a slow
    hash adds nothing). Used once (used_at), and only until expires_at.
    """

    __tablename__ = "staff_reset_codes"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, nullable=False, index=True)
    code_hash = Column(String(64), unique=True, nullable=False)
    issued_by = Column(String(254), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False, index=True)
    used_at = Column(DateTime)


class AnswerAuthor(Base):
    """An account that wrote part of an answer's text now waiting for review.

    Four-eyes: none of them may approve it. Rows go when the text is approved
    or the waiting edit discarded. Kept by account id, not by title, because
    two people may share a title.
    """

    __tablename__ = "staff_answer_authors"

    id = Column(Integer, primary_key=True)
    answer_id = Column(String(80), nullable=False, index=True)
    user_id = Column(Integer, nullable=False)
    at = Column(DateTime, nullable=False, default=utcnow)


class TrainingProposal(Base):
    """A visitor's wording an editor proposed as a training example.

    It reaches data/nlu/ (and so the next model) only when a reviewer other
    than the proposer accepts it; the row goes then, or when it is declined,
    and the audit log keeps the decision.
    """

    __tablename__ = "staff_training_proposals"

    id = Column(Integer, primary_key=True)
    answer_id = Column(String(80), nullable=False)
    example = Column(String(300), nullable=False)
    proposed_by_id = Column(Integer, nullable=False)
    proposed_by = Column(String(254), nullable=False)
    proposed_at = Column(DateTime, nullable=False, default=utcnow)


class SafetyReview(Base):
    """A staff verdict on a message that triggered a safety decision.

    Keyed by the conversation event it reviews. The masked text and the kind
    are copied so that reviewed messages can still be exported as test cases
    until the retention purge removes the review with its conversation.
    """

    __tablename__ = "safety_reviews"

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, unique=True, nullable=False, index=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    message_at = Column(DateTime, nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # the assistant's decision
    text = Column(Text, nullable=False)  # contact details masked
    verdict = Column(String(16), nullable=False)  # "true_alarm" or "false_alarm"
    reviewed_by = Column(String(254), nullable=False)
    reviewed_at = Column(DateTime, nullable=False, default=utcnow)


# --- Live handoff (issue #13) --------------------------------------------------
# Everything a live chat needs is here, not in a process's memory, so any Rasa
# replica and any console worker can serve either side (bot/handoff/live.py).


class LiveSession(Base):
    """One visitor's request to chat with staff now, from waiting to its end.

    state: waiting (nobody joined yet), live (owner_id owns it), ended (handed
    back to the assistant) or unanswered (nobody joined in time). At most one
    waiting or live session per conversation. The crisis_* columns hold a
    crisis message a staff member has not answered yet: the assistant sends
    the crisis reply at crisis_due_at unless the owner answers first.
    """

    __tablename__ = "live_sessions"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    state = Column(String(16), nullable=False, default="waiting", index=True)
    reason = Column(String(32), nullable=False, default="request_human")
    urgent = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow, index=True)
    wait_until = Column(DateTime, nullable=False)
    transcript = Column(Text, nullable=False, default="[]")  # JSON, before the request, masked
    owner_id = Column(Integer)
    owner_name = Column(String(80))
    owner_role = Column(String(40))
    joined_at = Column(DateTime)
    ended_at = Column(DateTime)
    staff_typing_at = Column(DateTime)
    crisis_due_at = Column(DateTime)
    crisis_alert_at = Column(DateTime)


class LiveMessage(Base):
    """A message of a live chat, in order (id).

    who: visitor (shown to staff), staff or notice (sent to the visitor; a
    notice is the assistant's), assistant (a reply the assistant made during
    the chat, e.g. the crisis reply). `message` is the JSON the widget draws
    ({"text", "buttons", "custom"}). in_tracker says it is already in Rasa's
    conversation store: staff messages and notices are written there by the
    first replica that claims them (bot/web/live.py).
    """

    __tablename__ = "live_messages"

    id = Column(Integer, primary_key=True)
    session_id = Column(Integer, nullable=False, index=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    who = Column(String(16), nullable=False)
    message = Column(Text, nullable=False)
    in_tracker = Column(Boolean, nullable=False, default=False)


class LiveAvailability(Base):
    """Whether a staff member takes live chats: the switch on the Live page.

    seen_at is refreshed while their Live page is open; someone whose page
    has been closed for longer than LIVE_STAFF_SEEN_SECONDS is not available.
    """

    __tablename__ = "live_availability"

    user_id = Column(Integer, primary_key=True)
    available = Column(Boolean, nullable=False, default=False)
    seen_at = Column(DateTime, nullable=False, default=utcnow)
