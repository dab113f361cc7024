"""The content room's walls: bot/dialogue and bot/content never import the staff console.

The console (bot/staff) calls into bot/content to read, check, render and
write answers; nothing flows the other way. Imports are read with `ast`, so
an import inside a function counts and a mention in a docstring does not.
"""
from __future__ import annotations

import ast
from pathlib import Path

from bot.settings import get_settings

BOT = get_settings().root / "bot"


def package_of(path: Path) -> str:
    """bot/content/check.py -> bot.content; bot/content/__init__.py -> bot.content."""
    return ".".join(path.relative_to(BOT.parent).parts[:-1])


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module path.py imports, relative imports resolved against package."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # `from bot import staff` imports the module bot.staff.
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imports_of(package: str, forbidden: str) -> list[str]:
    problems = []
    for path in sorted((BOT / package).rglob("*.py")):
        for module in sorted(imported_modules(path, package_of(path))):
            if module == forbidden or module.startswith(forbidden + "."):
                problems.append(f"{path.relative_to(BOT.parent)} imports {module}")
    return problems


def test_dialogue_and_content_never_import_the_staff_console():
    assert imports_of("dialogue", "bot.staff") == []
    assert imports_of("content", "bot.staff") == []


def test_the_staff_console_renders_answers_through_bot_content():
    assert imports_of("staff", "bot.dialogue") == []


def test_the_import_reader_sees_every_form(tmp_path: Path):
    sample = tmp_path / "probe.py"
    sample.write_text("import bot.staff.app\nfrom bot import staff\n"
                      "def late():\n    from ..staff import audit\n", encoding="utf-8")
    found = imported_modules(sample, "bot.content")
    assert {"bot.staff.app", "bot.staff", "bot.staff.audit"} <= found
