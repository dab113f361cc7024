"""`python -m bot staff ...` (accounts) and `python -m bot purge` (retention).

    python -m bot staff add-user EMAIL --role admin --title "Sam Lee, practice manager"
    python -m bot staff list
    python -m bot staff unlock EMAIL
    python -m bot staff set-password EMAIL
    python -m bot purge [--days N]

Passwords are read from a hidden prompt, or from standard input with
--password-stdin (for scripts); never from the command line, where they would
stay in the shell history. There are no default accounts or passwords.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    staff = groups.add_parser("staff", help="staff console accounts")
    actions = staff.add_subparsers(dest="action", required=True)

    add = actions.add_parser("add-user", help="create an account (the first admin, too)")
    add.add_argument("email")
    add.add_argument("--role", action="append", required=True, dest="roles",
                     help="editor, reviewer, front_desk or admin; repeat for several")
    add.add_argument("--title", required=True,
                     help="name and role, as approvals are signed: 'Dr. Rivera, medical director'")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of a prompt")
    add.set_defaults(run=run_add_user)

    listing = actions.add_parser("list", help="every account with its roles")
    listing.set_defaults(run=run_list_users)

    unlock = actions.add_parser("unlock", help="end a lock-out after failed sign-ins")
    unlock.add_argument("email")
    unlock.set_defaults(run=run_unlock)

    password = actions.add_parser("set-password", help="set a new password (ends their sessions)")
    password.add_argument("email")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(run=run_set_password)

    purge = groups.add_parser("purge", help="delete conversations older than the retention period "
                              "(in the tracker store endpoints.yml configures; ENDPOINTS_FILE names another)")
    purge.add_argument("--days", type=int, default=None,
                       help="keep this many days (default: RETENTION_DAYS, 90)")
    purge.set_defaults(run=run_purge)


def _actor() -> str:
    return f"command line ({getpass.getuser()})"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Same password again: ") != first:
        raise SystemExit("The two passwords differ; nothing was changed.")
    return first


def run_add_user(args: argparse.Namespace) -> int:
    from bot.staff import accounts, audit

    database_url = get_settings().database_url
    try:
        member = accounts.add_user(database_url, args.email, args.title, args.roles,
                                   _read_password(args.password_stdin))
    except accounts.AccountError as refused:
        print(f"Not added: {refused}", file=sys.stderr)
        return 1
    audit.record(database_url, _actor(), "staff.user_added", member.email,
                 {"title": member.title, "roles": sorted(member.roles)})
    print(f"Added {member.email} ({', '.join(sorted(member.roles))}).")
    return 0


def run_list_users(_args: argparse.Namespace) -> int:
    from bot.staff import accounts

    for user in accounts.list_users(get_settings().database_url):
        state = "" if user.active else "  (closed)"
        print(f"{user.email:<40} {user.roles:<30} {user.title}{state}")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    from bot.staff import accounts, audit

    database_url = get_settings().database_url
    cleared = accounts.unlock(database_url, args.email)
    audit.record(database_url, _actor(), "staff.unlock", accounts.normalise_email(args.email),
                 {"failed_sign_ins_cleared": cleared})
    print(f"{args.email} can sign in again.")
    return 0


def run_set_password(args: argparse.Namespace) -> int:
    from bot.staff import accounts, audit

    database_url = get_settings().database_url
    try:
        accounts.set_password(database_url, args.email, _read_password(args.password_stdin))
    except accounts.AccountError as refused:
        print(f"Not changed: {refused}", file=sys.stderr)
        return 1
    audit.record(database_url, _actor(), "staff.password", accounts.normalise_email(args.email))
    print(f"Password changed for {args.email}; their open sessions were ended.")
    return 0


def run_purge(args: argparse.Namespace) -> int:
    from bot.staff.retention import purge

    settings = get_settings()
    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        print("Keep at least 1 day.", file=sys.stderr)
        return 1
    # None: the conversation store endpoints.yml (ENDPOINTS_FILE) configures.
    result = purge(settings.database_url, None, days, actor=_actor())
    print(f"Removed {result.events} conversation events, {result.handoffs} closed requests, "
          f"{result.contacted} requests left contacted, {result.feedback} feedback entries and "
          f"{result.sign_ins} sign-in records older than {result.cutoff:%Y-%m-%d %H:%M} UTC; "
          f"masked contact details in {result.masked_events} events of closed requests.")
    for problem in result.problems:
        print(f"NOT COMPLETE: {problem}", file=sys.stderr)
    return 0 if result.complete else 1
