"""`python -m bot ...`: the commands staff and operators run.

    python -m bot content check          validate data/content/ (file:line findings)
    python -m bot handoffs list|show ID|close ID [--note TEXT]
    python -m bot staff add-user EMAIL --role ROLE
    python -m bot purge                  delete conversations past the retention period
"""
from __future__ import annotations

import argparse
import sys

from bot.cli import content_commands, handoff_commands, maintenance_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    groups = parser.add_subparsers(dest="group", required=True)
    content_commands.register(groups)
    handoff_commands.register(groups)
    maintenance_commands.register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
