"""Issue #10: a gated model update from the console, with no downtime.

A reviewer proposes a visitor's unanswered question as a training example from
Insights, a second reviewer accepts it (four eyes), the first retrains, reads
the comparison with the live model, and publishes.
A visitor then gets the new answer in the widget, while a second visitor's
conversation goes on without an error. Everything runs in a copy of the
project (so the repository's training data is never changed), with the
console serving the live model to the Rasa server as `make run` sets it up.
"""
from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from bot.services import free_port, running
from bot.stack import action_endpoint, action_server_command, rasa_server_command
from bot.staff import accounts
from bot.stack import rasa_env
from browser_helpers import DESKTOP, ROOT, TURN_TIMEOUT_MS, Visit
from test_console import PASSWORD, sign_in, tab

PHRASE = "is the building accessible by elevator"
TARGET = "clinic_location"
TRAINING_DEADLINE_MS = 12 * 60 * 1000
SWITCH_DEADLINE_S = 90.0


@contextlib.contextmanager
def project_copy(workdir: Path, model: Path) -> Iterator[Path]:
    """The project's code and built pipeline linked, its data and settings copied."""
    root = workdir / "project"
    root.mkdir()
    for name in ("bot", "actions"):
        (root / name).symlink_to(ROOT / name)
    (root / "build").mkdir()
    for name in ("spacy", "web"):
        (root / "build" / name).symlink_to(ROOT / "build" / name)
    # Copied: adding a training example retrains the risk classifier here.
    shutil.copytree(ROOT / "build" / "safety", root / "build" / "safety")
    for name in ("config.yml", "domain.yml", "clinic.yml", "messages.yml", "credentials.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "data", root / "data")
    (root / "tests" / "cases").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "cases" / "visitor_questions.yml", root / "tests" / "cases")
    (root / "models").mkdir()
    shutil.copy(model, root / "models" / model.name)
    (root / "var" / "models").mkdir(parents=True)
    (root / "var" / "models" / "live.json").write_text(json.dumps({"model": model.name}))
    yield root


@pytest.fixture(scope="module")
def deployment(model_path: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    workdir = tmp_path_factory.mktemp("model-update")
    with project_copy(workdir, model_path) as root:
        token = secrets.token_urlsafe(24)
        database_url = f"sqlite:///{root / 'var' / 'clinic.db'}"
        action_port, staff_port, rasa_port = free_port(), free_port(), free_port()
        env = {**rasa_env(), "KETAMINE_BOT_ROOT": str(root), "DATABASE_URL": database_url,
               "TRACKER_DB_URL": f"sqlite:///{root / 'var' / 'tracker.db'}",
               "MODEL_SERVER_TOKEN": token, "STAFF_SECRET_KEY": secrets.token_urlsafe(32),
               "MODEL_GATE_CASES": "tests/cases/visitor_questions.yml",
               # The second visitor asks as fast as the widget answers until the
               # model switches: past 20 messages a minute (the per-conversation
               # limit) a slow switch would get the limit's refusal instead.
               "RATE_LIMITS": "off",
               "ALLOWED_ORIGINS": f"http://127.0.0.1:{rasa_port}"}
        endpoints = root / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump({
            "action_endpoint": action_endpoint(f"http://127.0.0.1:{action_port}/webhook"),
            "nlg": {"type": "bot.dialogue.nlg.ContentNLG"},
            "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(root / "var" / "tracker.db")},
            "models": {"url": f"http://127.0.0.1:{staff_port}/model-server/live.tar.gz",
                       "token": token, "wait_time_between_pulls": 3},
        }))
        logs = root / "var"
        with running(action_server_command(action_port), f"http://127.0.0.1:{action_port}/health",
                     env=env, log=logs / "actions.log"), \
             running([sys.executable, "-m", "bot.staff.app", "--port", str(staff_port)],
                     f"http://127.0.0.1:{staff_port}/health", env=env, log=logs / "staff.log"), \
             running(rasa_server_command(model_path, rasa_port, endpoints),
                     f"http://127.0.0.1:{rasa_port}/widget/health", env=env, log=logs / "rasa.log"):
            accounts.add_user(database_url, "director@clinic.example", "Dr. Rivera (test)",
                              ["reviewer"], PASSWORD)
            # Four eyes: the example one reviewer proposes, another accepts.
            accounts.add_user(database_url, "lead@clinic.example", "Lee, lead nurse (test)",
                              ["reviewer"], PASSWORD)
            yield {"root": root, "console": f"http://localhost:{staff_port}",
                   "widget": f"http://127.0.0.1:{rasa_port}/widget/"}


class Widget:
    """A visitor's tab on the demo page (the browser helpers' Visit, with its own URL)."""

    def __init__(self, page: Page, url: str) -> None:
        self.visit = Visit(page, None)
        page.goto(url)
        page.locator(".kw-launcher").wait_for(state="visible")
        self.visit.open_widget()

    def ask(self, text: str) -> dict:
        """The last message the assistant sent in reply (as the widget stored it).

        A turn the server refuses or fails shows the widget's error and adds
        no turn: that fails here at once, with the error's text.
        """
        page, before = self.visit.page, self.visit.turns()
        page.locator("#kw-input").fill(text)
        page.locator("#kw-input").press("Enter")
        page.wait_for_function(
            """n => document.querySelector('.kw-error').textContent !== ''
                   || (document.querySelectorAll('.kw-log > .kw-turn').length > n
                       && document.querySelector('.kw-typing').textContent === '')""",
            arg=before, timeout=TURN_TIMEOUT_MS)
        error = page.locator(".kw-error").text_content()
        assert not error, f"the widget showed an error for {text!r}: {error}"
        entries = self.visit.stored()["entries"]
        return entries[-1]["message"] if entries and entries[-1]["who"] == "bot" else {}


def answer_id_of(reply: dict) -> str | None:
    return ((reply.get("custom") or {}).get("answer_id")) if reply else None


def test_reviewer_retrains_publishes_and_visitors_get_the_new_model(browser: Browser, deployment) -> None:
    context_a = browser.new_context(viewport=DESKTOP)
    context_b = browser.new_context(viewport=DESKTOP)
    context_a.set_default_timeout(30_000)
    context_b.set_default_timeout(30_000)
    try:
        visitor = Widget(context_a.new_page(), deployment["widget"])
        other = Widget(context_b.new_page(), deployment["widget"])
        assert answer_id_of(visitor.ask(PHRASE)) != TARGET, "precondition: not answered yet"
        assert answer_id_of(other.ask("what are the side effects")) == "side_effects_common"

        console = type("C", (), {"url": deployment["console"]})
        with tab(browser) as page:
            sign_in(page, console, "director@clinic.example")
            page.goto(f"{deployment['console']}/insights")
            row = page.locator("tr", has_text=PHRASE).first
            row.locator("select").select_option(TARGET)
            row.get_by_role("button", name="Propose as example").click()
            expect(page.locator(".flash-ok")).to_contain_text("Another reviewer must accept")
        with tab(browser) as page:
            sign_in(page, console, "lead@clinic.example")
            page.goto(f"{deployment['console']}/insights")
            page.locator("table.proposals tr", has_text=PHRASE).get_by_role("button", name="Accept").click()
            expect(page.locator(".flash-ok")).to_contain_text("Added")
        with tab(browser) as page:
            sign_in(page, console, "director@clinic.example")

            page.goto(f"{deployment['console']}/models")
            page.get_by_role("button", name="Retrain").click()
            expect(page.locator(".job-stage").first).to_have_text(
                "the gates passed: ready to publish", timeout=TRAINING_DEADLINE_MS)
            job = page.locator(".job").first
            expect(job.locator("table").first).to_contain_text("accuracy")
            expect(job).to_contain_text("changed outcome")
            job.get_by_role("button", name="Publish").click()
            expect(page.locator(".flash-ok")).to_contain_text("is now live")

        # The second visitor keeps talking while the servers switch models.
        deadline = time.monotonic() + SWITCH_DEADLINE_S
        switched = False
        while time.monotonic() < deadline and not switched:
            assert (other.ask("how much does a ketamine infusion cost?").get("custom") or {}).get("kind") \
                == "answer", "the other visitor's conversation must go on"
            switched = answer_id_of(visitor.ask(PHRASE)) == TARGET
        assert switched, "the published model did not reach the widget"
        assert not visitor.visit.problems and not other.visit.problems
    finally:
        context_a.close()
        context_b.close()
