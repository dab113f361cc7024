"""Things that need their own stack: killing it, and editing its content."""
from __future__ import annotations

import shutil
import time

from bot.content.files import yaml_loader
from bot.handoff import store
from bot.settings import get_settings
from tests.conftest import start_stack
from tests.integration.helpers import answers, new_sender, say


def test_request_survives_a_kill_right_after_the_confirmation(model_path, tmp_path) -> None:
    with start_stack(model_path, tmp_path / "stack") as stack:
        sender = new_sender()
        for message in ("i want to speak with someone from the clinic", "Sam",
                        "sam@example.com", "tomorrow morning"):
            say(stack, sender, message)
        replies = say(stack, sender, "yes")
        confirmation = next(r for r in replies if "reference" in r["text"])
        # Kill both servers at once, without any chance to clean up.
        for process in stack.processes:
            process.kill()
    reference = confirmation["text"].split("reference ")[1][:6]
    saved = store.get(stack.database_url, reference)
    assert saved.contact == "sam@example.com" and saved.status == "open"


def test_answer_text_changes_without_retraining(model_path, tmp_path) -> None:
    content = tmp_path / "content"
    shutil.copytree(get_settings().content_dir, content)
    with start_stack(model_path, tmp_path / "stack", {"CONTENT_DIR": str(content)}) as stack:
        before = answers(say(stack, new_sender(), "where is your clinic located"))
        assert before and before[0]["answer_id"] == "clinic_location"
        path = content / "clinic.yml"
        loader = yaml_loader()
        document = loader.load(path.read_text())
        entry = next(a for a in document["answers"] if a["id"] == "clinic_location")
        entry["text"] = "We have moved. Our new address is {clinic_address}. Parking is free."
        with path.open("w") as handle:
            loader.dump(document, handle)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            after = answers(say(stack, new_sender(), "where is your clinic located"))
            if after and after[0]["text"].startswith("We have moved."):
                break
            time.sleep(0.5)
        assert after[0]["text"].startswith("We have moved."), after


def test_crisis_response_does_not_depend_on_the_action_server(model_path, tmp_path) -> None:
    """The crisis text is rendered inside the Rasa server; only the staff flag
    needs the action server, and losing it must not silence the response."""
    with start_stack(model_path, tmp_path / "stack") as stack:
        actions, _ = stack.processes
        actions.kill()
        actions.wait()
        replies = say(stack, new_sender(), "i took a whole bottle of pills")
        assert replies and (replies[0].get("custom") or {}).get("kind") in ("disclaimer", "crisis")
        crisis = [r for r in replies if (r.get("custom") or {}).get("kind") == "crisis"]
        assert crisis and "911" in crisis[0]["text"]
