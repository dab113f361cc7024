"""bot/privacy.py: var/ and what is in it are the service user's alone."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.privacy import make_private


def test_make_private_takes_group_and_other_access_off_an_existing_tree(tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "logs").mkdir(parents=True)
    (var / "logs" / "rasa.log").write_text("x")
    (var / "tracker.db").write_text("x")
    for path in (var, var / "logs"):
        path.chmod(0o755)
    for path in (var / "logs" / "rasa.log", var / "tracker.db"):
        path.chmod(0o644)
    make_private(var)
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "logs").stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "tracker.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "logs" / "rasa.log").stat().st_mode) == 0o600


def test_make_private_creates_the_folder(tmp_path: Path) -> None:
    make_private(tmp_path / "new" / "var")
    assert stat.S_IMODE((tmp_path / "new" / "var").stat().st_mode) == 0o700
    assert os.access(tmp_path / "new" / "var", os.W_OK)
