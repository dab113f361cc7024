"""`python -m bot handoffs list|show REF|close REF [--note TEXT]`: the callback queue from a terminal.

The list masks contact details, like the console's queue; `show` is the
request's own record, so it prints them (and the audit log says who looked).
"""
from __future__ import annotations

import argparse
import getpass
import json

from bot.cli.terminal import terminal_safe as safe
from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    handoffs = groups.add_parser("handoffs", help="work the callback queue")
    actions = handoffs.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="open requests, urgent first, then oldest")
    listing.add_argument("--all", action="store_true", help="include closed requests")
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="one request with contact details and transcript")
    show.add_argument("reference")
    show.set_defaults(run=run_show)
    close = actions.add_parser("close", help="mark a request closed")
    close.add_argument("reference")
    close.add_argument("--note", default="", help="what was done, e.g. 'called back, booked'")
    close.set_defaults(run=run_close)


def _actor() -> str:
    return f"command line ({getpass.getuser()})"


def run_list(args: argparse.Namespace) -> int:
    from bot.handoff import store

    requests = store.queue(get_settings().database_url, include_closed=args.all)
    if not requests:
        print("No requests waiting.")
    for r in requests:
        urgent = "URGENT " if r.urgent else ""
        contact = f"{r.contact_kind or 'contact'} on file" if r.contact else "no contact"
        print(f"{r.reference}  {urgent}{r.kind:<11} {r.status:<9} "
              f"{r.created_at:%Y-%m-%d %H:%M} UTC  {contact}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from bot.handoff import store
    from bot.staff import audit

    database_url = get_settings().database_url
    try:
        r = store.get(database_url, args.reference)
    except store.HandoffNotFound:
        print(f"No request {args.reference}")
        return 1
    audit.record(database_url, _actor(), "callback.viewed", r.reference)
    print(f"{r.reference}  {r.kind}{'  URGENT' if r.urgent else ''}  status: {r.status}")
    print(f"Received: {r.created_at:%Y-%m-%d %H:%M} UTC   reason: {safe(r.reason)}")
    print(f"Name: {safe(r.first_name or '-')}   {r.contact_kind or 'contact'}: {safe(r.contact or '-')}   "
          f"best time: {safe(r.preferred_time or '-')}")
    if r.staff_note:
        print("Notes:\n" + "\n".join(safe(line) for line in r.staff_note.splitlines()))
    print("Conversation (contact details masked):")
    for turn in json.loads(r.transcript or "[]"):
        print(f"  {safe(turn.get('who', '?')):>9}: {safe(turn.get('text', ''))}")
    return 0


def run_close(args: argparse.Namespace) -> int:
    from bot.handoff import store
    from bot.staff import audit

    database_url = get_settings().database_url
    try:
        before = store.get(database_url, args.reference).status
        store.update_status(database_url, args.reference, "closed", _actor(), args.note)
    except store.HandoffNotFound:
        print(f"No request {args.reference}")
        return 1
    audit.record(database_url, _actor(), "callback.status_changed", args.reference.upper(),
                 {"before": before, "after": "closed", "note": args.note})
    print(f"{args.reference.upper()} closed.")
    return 0
