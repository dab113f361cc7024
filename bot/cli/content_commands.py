"""`python -m bot content check`."""
from __future__ import annotations

import argparse
from pathlib import Path

from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    content = groups.add_parser("content", help="check the curated answers")
    actions = content.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="validate every file under data/content/")
    check.add_argument("--root", type=Path, default=None,
                       help="project folder (default: this checkout)")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from bot.content.check import check_project, format_report

    root = (args.root or get_settings().root).resolve()
    result = check_project(root)
    for line in format_report(result, root):
        print(line)
    return 1 if result.errors else 0
