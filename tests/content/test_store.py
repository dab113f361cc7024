"""The live content store: edits show up without a restart, broken edits lose nothing."""
from __future__ import annotations

import shutil
from pathlib import Path

from bot.content import ContentStore
from bot.content.files import yaml_loader
from bot.settings import get_settings

ROOT = get_settings().root


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "data/content", target)
    return target


def test_only_approved_answers_are_served(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    path = content / "cost.yml"
    path.write_text(path.read_text().replace("status: approved", "status: draft", 1))
    library = ContentStore(content).library()
    drafts = [a for a in library.answers.values() if a.status == "draft"]
    assert len(drafts) == 1
    assert library.approved(drafts[0].id) is None


def set_text(path: Path, answer_id: str, text: str) -> None:
    loader = yaml_loader()
    document = loader.load(path.read_text())
    next(a for a in document["answers"] if a["id"] == answer_id)["text"] = text
    with path.open("w") as handle:
        loader.dump(document, handle)


def test_edited_text_is_picked_up(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    store = ContentStore(content, check_interval=0)
    assert "Edited" not in store.library().answers["clinic_location"].text
    set_text(content / "clinic.yml", "clinic_location", "Edited: we are at {clinic_address}.")
    assert store.library().answers["clinic_location"].text == "Edited: we are at {clinic_address}."


def test_broken_edit_keeps_the_last_good_content(tmp_path: Path) -> None:
    content = copy_content(tmp_path)
    store = ContentStore(content, check_interval=0)
    before = store.library()
    (content / "cost.yml").write_text("answers: [unclosed\n")
    after = store.library()
    assert after is before
    assert "cost.yml" in store.last_error
    assert after.approved("cost_overview") is not None
