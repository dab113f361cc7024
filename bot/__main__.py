"""`python -m bot ...`: the commands staff and operators run.

    python -m bot content check          validate data/content/ (file:line findings)
    python -m bot handoffs list|show ID|close ID [--note TEXT]
    python -m bot staff add-user EMAIL --role ROLE
    python -m bot purge                  delete conversations past the retention period
    python -m bot audit verify           check the staff audit log's hash chain
"""
from __future__ import annotations

import argparse
import sys

from bot import log_masking
from bot.cli import audit_commands, content_commands, handoff_commands, maintenance_commands
from bot.privacy import restrict_new_files


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    groups = parser.add_subparsers(dest="group", required=True)
    content_commands.register(groups)
    handoff_commands.register(groups)
    maintenance_commands.register(groups)
    audit_commands.register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    restrict_new_files()  # e.g. `staff add-user` creates var/clinic.db
    log_masking.install()
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
