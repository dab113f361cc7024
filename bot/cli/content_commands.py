"""`python -m bot content check [--launch]`."""
from __future__ import annotations

import argparse
from pathlib import Path

from bot.settings import Settings, get_settings


def register(groups: argparse._SubParsersAction) -> None:
    content = groups.add_parser("content", help="check the curated answers")
    actions = content.add_subparsers(dest="action", required=True)
    check = actions.add_parser("check", help="validate every file under data/content/")
    check.add_argument("--root", type=Path, default=None,
                       help="project folder (default: this checkout)")
    check.add_argument("--launch", action="store_true",
                       help="also fail, one line per answer, until a reviewer has approved every "
                            "live answer in this installation's staff console (run before going live)")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from bot.content.check import check_project, format_report

    root = (args.root or get_settings().root).resolve()
    if getattr(args, "launch", False):
        return _run_launch_check(root, args)
    result = check_project(root)
    for line in format_report(result, root):
        print(line)
    return 1 if result.errors else 0


def _run_launch_check(root: Path, args: argparse.Namespace) -> int:
    """The usual check on the content the running services use, then the launch check.

    Reads what the console writes: CONTENT_DIR, CLINIC_FILE and DATABASE_URL
    (bot/settings.py), so it judges the approvals staff actually made.
    """
    from bot.content.check import check_project, format_report
    from bot.staff.launch_check import launch_check

    settings = Settings.from_env(root) if args.root else get_settings()
    result = check_project(root, content_dir=settings.content_dir,
                           clinic_file=settings.clinic_file)
    for line in format_report(result, root):
        print(line)
    report = launch_check(settings.content_dir, settings.database_url)
    for line in report.lines(root):
        print(line)
    return 1 if result.errors or not report.ok else 0
