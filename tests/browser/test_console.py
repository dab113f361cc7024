"""The staff console in a real browser, against the real stack.

One stack for this module, reading a temporary copy of data/content (so the
repository's answers are never changed), and the console started as `make
run` starts it, on the same content folder and the same databases. The
headline check: a reviewer approves an edit, and a visitor in the widget gets
the new text within 10 seconds, without retraining.
"""
from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from bot.content.yaml_io import YamlDocument, folded
from bot.handoff import store
from bot.services import free_port, running
from bot.staff import accounts
from bot.stack import rasa_env
from browser_helpers import DESKTOP, ROOT, SCREENSHOTS, Visit
from tests.integration.helpers import announce_only

PASSWORD = "browser test passphrase"
ANSWER_ID = "side_effects_common"
QUESTION = "what are the side effects"
NEW_SENTENCE = "Tell the nurse at once if you feel unwell during the visit."
APPROVAL_DEADLINE_S = 10.0


@dataclass(frozen=True)
class Console:
    url: str
    stack: object  # tests/conftest.py's Stack
    content_dir: Path

    @property
    def database_url(self) -> str:
        return self.stack.database_url


def start_stack(config: pytest.Config, *args, **kwargs):
    """tests/conftest.py's start_stack, from the module pytest loaded.

    `from tests.conftest import start_stack` does not work: textstat installs a
    top-level `tests` package into site-packages, which shadows this folder.
    """
    module = config.pluginmanager.get_plugin(str(ROOT / "tests" / "conftest.py"))
    return module.start_stack(*args, **kwargs)


@pytest.fixture(scope="module")
def console(model_path: Path, tmp_path_factory: pytest.TempPathFactory,
            pytestconfig: pytest.Config) -> Iterator[Console]:
    workdir = tmp_path_factory.mktemp("console")
    content_dir = workdir / "content"
    shutil.copytree(ROOT / "data" / "content", content_dir)
    extra = {"CONTENT_DIR": str(content_dir)}
    with start_stack(pytestconfig, model_path, workdir / "stack", extra) as stack:
        port = free_port()
        env = {**rasa_env(), **extra, "DATABASE_URL": stack.database_url,
               "TRACKER_DB_URL": f"sqlite:///{stack.workdir / 'tracker.db'}",
               "STAFF_SECRET_KEY": secrets.token_urlsafe(32)}
        with running([sys.executable, "-m", "bot.staff.app", "--port", str(port)],
                     f"http://127.0.0.1:{port}/health", env=env, log=workdir / "staff.log"):
            for email, roles in (("editor@clinic.example", ["editor"]),
                                 ("director@clinic.example", ["reviewer"]),
                                 ("desk@clinic.example", ["front_desk"]),
                                 ("admin@clinic.example", ["admin"])):
                accounts.add_user(stack.database_url, email, f"{email.split('@')[0].title()} (test)",
                                  roles, PASSWORD)
            yield Console(f"http://localhost:{port}", stack, content_dir)


@contextlib.contextmanager
def tab(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (its own cookies); CSP violations and page errors fail the test."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not problems, f"Errors in the page: {problems}"


def sign_in(page: Page, console: Console, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{console.url}/login")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def widget_answer(visit: Visit) -> str:
    visit.ask(QUESTION)
    return visit.page.locator(".kw-answer .kw-text").last.inner_text()


def test_the_console_refuses_a_five_megabyte_body_before_reading_it(console: Console) -> None:
    assert announce_only(f"{console.url}/login", 5 * 1024 * 1024,
                         {"Content-Type": "application/x-www-form-urlencoded"}) == 413


def test_a_reviewers_approval_reaches_the_widget_within_seconds(browser: Browser, console: Console) -> None:
    with tab(browser) as editor, tab(browser) as reviewer, tab(browser) as visitor:
        visit = Visit(visitor, console.stack).goto()
        visit.open_widget()
        before = widget_answer(visit)
        assert NEW_SENTENCE not in before

        # An editor changes the answer and watches the preview and the checks while typing.
        sign_in(editor, console, "editor@clinic.example")
        expect(editor.locator("h1")).to_have_text("Answers")
        editor.get_by_role("link", name="What are the common side effects?").click()
        text = editor.get_by_label("Answer text")
        text.fill(text.input_value() + " " + NEW_SENTENCE)
        preview = editor.locator("#preview .kw-answer")
        # The first preview may wait for the reading-grade dictionary to load.
        expect(preview.locator(".kw-text")).to_contain_text(NEW_SENTENCE, timeout=30_000)
        expect(preview.locator(".kw-sources a").first).to_have_attribute("href", re.compile("^https://"))
        expect(editor.locator("#grade")).to_contain_text("Reading grade")
        text.fill(text.input_value() + " It is a miracle cure.")
        expect(editor.locator("#findings")).to_contain_text("miracle")
        text.fill(text.input_value().replace(" It is a miracle cure.", ""))
        expect(editor.locator("#findings")).not_to_contain_text("miracle")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        editor.screenshot(path=str(SCREENSHOTS / "console.png"), full_page=True)
        editor.get_by_role("button", name="Save draft").click()
        expect(editor.locator(".flash-ok")).to_contain_text("until a reviewer approves")
        assert editor.get_by_role("button", name=re.compile("Approve")).count() == 0

        # Saved but not approved: visitors still get the approved text.
        assert NEW_SENTENCE not in widget_answer(visit)

        sign_in(reviewer, console, "director@clinic.example")
        reviewer.goto(f"{console.url}/answers?show=waiting")
        reviewer.get_by_role("link", name="What are the common side effects?").click()
        reviewer.get_by_role("button", name="Approve the waiting edit").click()
        expect(reviewer.locator(".flash-ok")).to_contain_text("Approved")
        approved_at = time.monotonic()

        while NEW_SENTENCE not in widget_answer(visit):
            assert time.monotonic() - approved_at < APPROVAL_DEADLINE_S, "the widget kept the old text"
            visitor.wait_for_timeout(500)
        assert time.monotonic() - approved_at < APPROVAL_DEADLINE_S
        expect(reviewer.locator(".facts")).to_contain_text("Director (test)")


def test_front_desk_closes_a_callback(browser: Browser, console: Console) -> None:
    reference = store.save_callback(console.database_url, store.CallbackRequest(
        conversation_id="visitor-cb", first_name="Dana", contact="(555) 555-0199",
        contact_kind="phone", preferred_time="weekday mornings", consent=True,
        reason="asked for staff", urgent=False,
        transcript=[{"who": "visitor", "text": "can someone call me at [phone]", "at": ""}]))
    with tab(browser) as page:
        sign_in(page, console, "desk@clinic.example")
        expect(page.locator("h1")).to_have_text("Callback queue")
        row = page.locator("tr", has_text=reference)
        expect(row).to_contain_text("phone on file")
        expect(page.locator("main")).not_to_contain_text("555-0199")
        row.get_by_role("link", name=reference).click()
        expect(page.locator(".contact")).to_have_text("(555) 555-0199")
        expect(page.locator(".transcript")).to_contain_text("can someone call me at [phone]")
        page.get_by_label("Closed").check()
        page.get_by_label("Note (optional)").fill("Called back, booked a consultation.")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".flash-ok")).to_contain_text(f"Request {reference} marked closed")
        expect(page.get_by_role("link", name=reference)).to_have_count(0)
    assert store.get(console.database_url, reference).status == "closed"


def test_no_page_or_api_without_signing_in(browser: Browser, console: Console) -> None:
    with tab(browser) as page:
        for path in ("/answers", f"/answers/{ANSWER_ID}", "/callbacks", "/insights", "/staff", "/audit"):
            page.goto(console.url + path)
            expect(page).to_have_url(re.compile(r"/login\?next="))
        status = page.evaluate("""url => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
                                     body: '{}'}).then(r => r.status)""", f"{console.url}/api/preview")
        assert status == 401


def test_a_forged_csrf_token_is_rejected(browser: Browser, console: Console) -> None:
    file = console.content_dir / "side_effects.yml"
    with tab(browser) as page:
        sign_in(page, console, "editor@clinic.example")
        page.goto(f"{console.url}/answers/side_effects_dissociation")
        before = file.read_text()
        page.evaluate("document.querySelector('#answer-form [name=csrf_token]').value = 'forged-token'")
        page.get_by_label("Answer text").fill("Changed by a forged form. " * 5)
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("main")).to_contain_text("This form has expired")
        assert file.read_text() == before
        status = page.evaluate("""url => fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json',
                                     'X-CSRFToken': 'forged'}, body: '{}'}).then(r => r.status)""",
                               f"{console.url}/api/preview")
        assert status == 400


def test_roles_are_enforced(browser: Browser, console: Console) -> None:
    with tab(browser) as page:
        sign_in(page, console, "desk@clinic.example")
        nav = page.get_by_role("navigation", name="Console")
        expect(nav.get_by_role("link")).to_have_text(["Callbacks", "Live", "Safety review"])
        response = page.goto(f"{console.url}/answers")
        assert response.status == 403
        expect(page.locator("main")).to_contain_text("Your role does not allow this")
    with tab(browser) as page:
        sign_in(page, console, "editor@clinic.example")
        assert page.goto(f"{console.url}/callbacks").status == 403
        assert page.goto(f"{console.url}/staff").status == 403
        assert page.goto(f"{console.url}/live").status == 403  # live chat is the front desk's
        page.goto(f"{console.url}/answers/{ANSWER_ID}")
        expect(page.get_by_role("button", name=re.compile("Approve"))).to_have_count(0)
    with tab(browser) as page:
        sign_in(page, console, "admin@clinic.example")
        page.goto(f"{console.url}/answers/{ANSWER_ID}")
        expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
        expect(page.get_by_label("Answer text")).to_have_attribute("readonly", "")


def test_html_in_answer_text_is_inert_in_console_and_widget(browser: Browser, console: Console) -> None:
    # Written straight into the YAML, as a hand edit could: the console would refuse to approve it.
    payload = "<img src=x onerror=window.__xss=1>"
    path = console.content_dir / "side_effects.yml"
    document = YamlDocument(path)
    entry = next(a for a in document.data["answers"] if a["id"] == "side_effects_dissociation")
    entry["text"] = folded(f"{payload} " + " ".join(str(entry["text"]).split()))
    document.save()
    with tab(browser) as page:
        sign_in(page, console, "editor@clinic.example")
        page.goto(f"{console.url}/answers/side_effects_dissociation")
        expect(page.get_by_label("Answer text")).to_have_value(re.compile(re.escape(payload)))
        expect(page.locator("#preview .kw-text")).to_contain_text(payload)
        expect(page.locator("#findings")).to_contain_text("HTML")
        assert page.locator("main img").count() == 0
        assert page.evaluate("window.__xss") is None
    with tab(browser) as page:
        visit = Visit(page, console.stack).goto()
        visit.open_widget()
        time.sleep(1.2)  # the assistant re-reads changed content files every second
        visit.ask("does ketamine make you feel detached")
        expect(page.locator(".kw-answer .kw-text").last).to_contain_text(payload)
        assert page.locator(".kw-log img").count() == 0
        assert page.evaluate("window.__xss") is None


def test_sign_in_locks_after_five_failures(browser: Browser, console: Console) -> None:
    accounts.add_user(console.database_url, "locked@clinic.example", "Locked (test)", ["editor"], PASSWORD)
    with tab(browser) as page:
        for _ in range(5):
            sign_in(page, console, "locked@clinic.example", "not the password")
            expect(page.locator(".flash-error")).to_contain_text("Wrong email or password")
        sign_in(page, console, "locked@clinic.example")
        expect(page.locator(".flash-error")).to_contain_text("Too many failed sign-ins")
        expect(page).to_have_url(re.compile("/login"))
