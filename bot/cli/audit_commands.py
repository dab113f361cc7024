"""`python -m bot audit verify`: check that nobody altered the audit log.

    python -m bot audit verify

Walks the whole hash chain (bot/staff/audit.py) and exits 1 naming the first
broken entry, so cron or a monitoring check can run it. It prints the newest
entry's hash: copy it somewhere outside the database now and then, because
someone who can write to the database could otherwise rebuild the chain.
"""
from __future__ import annotations

import argparse

from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    audit = groups.add_parser("audit", help="the staff audit log")
    actions = audit.add_subparsers(dest="action", required=True)
    verify = actions.add_parser("verify", help="check the audit log's hash chain; exit 1 if broken")
    verify.set_defaults(run=run_verify)


def run_verify(_args: argparse.Namespace) -> int:
    from bot.staff import audit

    result = audit.verify(get_settings().database_url)
    if result.legacy:
        print(f"{result.legacy} entries predate the hash chain (written by an older version); "
              "they cannot be verified. The chain starts after them.")
    if result.checkpoint is not None:
        print(f"Entries up to #{result.checkpoint.first_kept_id - 1} were removed by the retention "
              f"purge (before {result.checkpoint.cutoff:%Y-%m-%d %H:%M} UTC); the chain continues "
              "from the checkpoint it recorded.")
    if result.broken is not None:
        broken = result.broken
        print(f"BROKEN at entry #{broken.id} ({broken.at:%Y-%m-%d %H:%M:%S} UTC, {broken.action}): "
              f"{broken.reason}. {result.checked} entries before it verified.")
        return 1
    if result.head_id is None:
        print("The audit log has no hashed entries yet; nothing to verify.")
        return 0
    print(f"Audit log intact: {result.checked} entries verified. Newest: #{result.head_id}, "
          f"hash {result.head_hash}")
    return 0
