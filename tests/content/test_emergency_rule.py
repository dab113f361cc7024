"""Issue #12, item 1: answers about how someone may feel say when to call 911.

The content check's rule (bot/content/check.py, _check_emergency): an answer
that names an urgent symptom from the brief's section 8
(bot/content/urgent_symptoms.py) must say 911. Broken copies show it fires.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.clinic import fill, load_clinic, placeholder_values
from bot.content.check import check_answer_record, check_project
from bot.content.files import RawRecord
from bot.content.store import load_library
from bot.content.urgent_symptoms import URGENT_SYMPTOMS, urgent_symptoms_in
from bot.settings import get_settings
from tests.content.editing import line_of

ROOT = get_settings().root
BRIEF = ROOT.parent / "shared" / "content-brief.md"
# Answers about how someone may feel during or after a treatment (side effects,
# how long they last, what happens after, dissociation, blood pressure,
# contacting the clinic): each gives the whole emergency guidance.
FEELING_ANSWERS = (
    "about_psychedelic", "clinic_contact", "ect_side_effects_compared", "long_term_bladder",
    "long_term_memory", "mechanism_dissociation_needed", "prep_work_same_day",
    "process_during_infusion", "process_after_treatment", "side_effects_common",
    "side_effects_dissociation", "side_effects_blood_pressure", "side_effects_nausea",
    "side_effects_duration", "side_effects_sleepiness", "side_effects_anxiety_during",
    "side_effects_hallucinations", "long_term_personality", "clinic_after_hours",
)
# The brief's section 8 list, in the words the answers use.
BRIEF_SYMPTOMS = ("chest pain", "trouble breathing", "a sudden severe headache", "vision changes",
                  "fainting", "a seizure", "severe confusion", "thoughts of harming yourself")


def emergency_errors(project: Path) -> list[str]:
    return [f.format(project) for f in check_project(project).errors if "911" in f.message]


def test_answers_about_feelings_give_the_whole_emergency_guidance() -> None:
    library = load_library(ROOT / "data" / "content")
    values = placeholder_values(load_clinic(ROOT / "clinic.yml"))
    for answer_id in FEELING_ANSWERS:
        answer = library.approved(answer_id)
        assert answer is not None, answer_id
        text = answer.text
        missing = [symptom for symptom in BRIEF_SYMPTOMS if symptom not in text]
        assert not missing, (answer_id, missing)
        assert "call 911 or go to the nearest emergency room" in text, answer_id
        assert "988" in text, answer_id
        # 911 first, then the clinic's number for anything else.
        assert "For anything else, call us at {clinic_phone}." in text, answer_id
        assert text.index("911") < text.rindex("{clinic_phone}"), answer_id
        assert values["clinic_phone"] in fill(text, values)


def test_every_shipped_answer_that_names_an_urgent_symptom_says_911() -> None:
    library = load_library(ROOT / "data" / "content")
    values = placeholder_values(load_clinic(ROOT / "clinic.yml"))
    naming = {a.id for a in library.answers.values() if urgent_symptoms_in(fill(a.text, values))}
    assert set(FEELING_ANSWERS) <= naming
    for answer_id in naming:
        assert re.search(r"\b911\b", library.answers[answer_id].text), answer_id
    assert emergency_errors(ROOT) == []


def test_removing_911_from_a_side_effect_answer_is_an_error(project: Path) -> None:
    path = project / "data/content/side_effects.yml"
    text = path.read_text()
    start = text.index("  - id: side_effects_duration")
    end = text.index("  - id: side_effects_sleepiness")
    entry = text[start:end]
    broken = entry.replace("911", "us")
    assert "911" in entry and "911" not in broken
    path.write_text(text[:start] + broken + text[end:])
    found = emergency_errors(project)
    line = line_of(path, "question: How long do side effects last?") + 1  # its text: line
    assert path.read_text().splitlines()[line - 1] == "    text: >-"
    assert len(found) == 1, found
    assert found[0].startswith(f"data/content/side_effects.yml:{line}: error: answer "
                               f"'side_effects_duration' mentions chest pain"), found


@pytest.mark.parametrize("symptom", ["a bad headache", "blurred vision", "a seizure",
                                     "passing out", "slowed breathing", "feeling confused",
                                     "chest pains", "thoughts of suicide"])
def test_naming_any_urgent_symptom_without_911_is_an_error(project: Path, symptom: str) -> None:
    path = project / "data/content/efficacy.yml"
    text = path.read_text()
    old = "That is\n      why treatment is often given as a series."
    assert old in text
    path.write_text(text.replace(old, f"Some people get {symptom}. That is\n      why treatment "
                                      "is often given as a series.", 1))
    found = emergency_errors(project)
    assert len(found) == 1 and "answer 'efficacy_speed'" in found[0], found


def test_the_rule_checks_what_staff_type_in_the_console(project: Path) -> None:
    content, nlu, clinic = project / "data/content", project / "data/nlu", project / "clinic.yml"
    record = RawRecord({"id": "side_effects_new", "topic": "side_effects",
                        "question": "Can ketamine cause headaches?",
                        "text": "Some people get a headache after a treatment. It often passes "
                                "within a few hours. Tell staff how you feel, and call us at "
                                "{clinic_phone} with questions.",
                        "sources": ["S1"], "status": "draft"}, content / "side_effects.yml", 1)
    findings = check_answer_record(record, content, nlu, clinic)
    assert any("911" in f.message and f.severity == "error" for f in findings), findings
    record.data["text"] += (" For a sudden severe headache, call 911 or go to the nearest "
                            "emergency room.")
    findings = check_answer_record(record, content, nlu, clinic)
    assert not any("911" in f.message for f in findings), findings


def test_words_that_are_not_urgent_symptoms_do_not_fire() -> None:
    for text in ("Staff also watch your breathing.", "ECT stands for electroconvulsive therapy.",
                 "Ask your care team.", "It is given under supervision."):
        assert urgent_symptoms_in(text) == [], text


def test_the_list_is_the_briefs_section_8() -> None:
    names = [name for name, _pattern in URGENT_SYMPTOMS]
    assert names[:7] == ["chest pain", "trouble breathing", "a sudden severe headache",
                         "vision changes", "fainting", "a seizure", "severe confusion"]
    if not BRIEF.exists():
        pytest.skip(f"{BRIEF} is not on this machine")
    section = BRIEF.read_text().split("## 8.")[1].split("\n## ")[0]
    urgent = next(line for line in section.splitlines() if "Urgent symptoms" in line)
    for name in names[:7]:
        assert name in urgent, name
