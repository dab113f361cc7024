"""`python -m bot content check` on the real content, and on broken copies."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content.check import check_project
from bot.settings import get_settings
from tests.content.editing import line_of, messages, replace_in

ROOT = get_settings().root


def test_repository_content_passes() -> None:
    result = check_project(ROOT)
    assert result.errors == [], [f.format(ROOT) for f in result.errors]
    assert result.answers_checked >= 40


def test_broken_yaml_points_at_the_line(project: Path) -> None:
    path = project / "data/content/cost.yml"
    replace_in(path, "    topic: cost\n", "    topic: [cost\n")
    found = messages(project)
    assert any(m.startswith("data/content/cost.yml:") and "error" in m for m in found), found


def test_unknown_topic_and_missing_source_are_errors(project: Path) -> None:
    path = project / "data/content/side_effects.yml"
    replace_in(path, "topic: side_effects", "topic: sideeffects")
    line = line_of(path, "topic: sideeffects")
    found = messages(project)
    assert any(m.startswith(f"data/content/side_effects.yml:{line}: error") and "not one of" in m
               for m in found), found


def test_citing_a_source_that_does_not_exist(project: Path) -> None:
    path = project / "data/content/mechanism.yml"
    text = path.read_text()
    path.write_text(text.replace("sources: [", "sources: [S99, ", 1))
    assert any("cites S99" in m for m in messages(project))


def test_hype_words_and_markup_are_errors(project: Path) -> None:
    path = project / "data/content/efficacy.yml"
    replace_in(path, "text: >-\n      ", "text: >-\n      This miracle treatment is at <b>www.example.com</b>. ")
    found = messages(project)
    assert any("'miracle'" in m for m in found), found
    assert any("link or HTML" in m for m in found), found


def test_reading_grade_above_eight_is_an_error(project: Path) -> None:
    path = project / "data/content/about.yml"
    hard = ("Notwithstanding considerable methodological heterogeneity, contemporaneous "
            "pharmacological investigations substantiate antidepressant characteristics "
            "attributable to glutamatergic modulation. ")
    replace_in(path, "text: >-\n      ", "text: >-\n      " + hard)
    assert any("reads at grade" in m for m in messages(project))


def test_unknown_placeholder_is_an_error(project: Path) -> None:
    path = project / "data/content/clinic.yml"
    replace_in(path, "{clinic_phone}", "{clinic_fax}")
    assert any("{clinic_fax}" in m and "clinic.yml" in m for m in messages(project))


def test_stale_review_is_a_warning_not_an_error(project: Path) -> None:
    path = project / "data/content/cost.yml"
    # The shipped answers are example content with no review date; sign one as reviewed long ago.
    replace_in(path, "reviewed_by: example content (not clinically reviewed)\n",
               "reviewed_by: Dr. Rivera, medical director\n    reviewed_on: 2024-01-02\n")
    result = check_project(project, today=dt.date(2026, 11, 26))
    assert result.errors == []
    assert any("more than 12 months ago" in f.message for f in result.warnings)


def test_nlu_pointing_at_a_missing_answer(project: Path) -> None:
    path = project / "data/nlu/cost.yml"
    path.write_text(path.read_text().replace("faq/cost_overview", "faq/cost_overview_old"))
    found = messages(project)
    assert any("no answer with id 'cost_overview_old'" in m for m in found), found
    assert any("answer 'cost_overview' is approved but no visitor question leads to it" in m
               for m in found), found


def test_draft_answer_that_visitors_can_reach_is_an_error(project: Path) -> None:
    path = project / "data/content/cost.yml"
    path.write_text(path.read_text().replace("status: approved", "status: draft", 1))
    assert any("is a draft, but visitors can already ask it" in m for m in messages(project))


def test_command_exits_non_zero_with_file_and_line(project: Path) -> None:
    path = project / "data/content/cost.yml"
    replace_in(path, "status: approved", "status: aproved")
    run = subprocess.run([sys.executable, "-m", "bot", "content", "check", "--root", str(project)],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 1
    line = line_of(path, "status: aproved")
    assert f"data/content/cost.yml:{line}: error" in run.stdout


def test_command_passes_on_the_repository() -> None:
    run = subprocess.run([sys.executable, "-m", "bot", "content", "check"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
