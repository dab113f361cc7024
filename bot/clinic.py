"""The clinic's own details, read from clinic.yml.

Answers and system messages name these only through {placeholders}, so a real
clinic edits one file and every message follows.
"""
from __future__ import annotations

import string
from pathlib import Path
from typing import Any, Mapping

import yaml

REQUIRED_FIELDS = (
    "clinic_name",
    "clinic_phone",
    "clinic_phone_e164",
    "clinic_email",
    "clinic_address",
    "clinic_hours",
    "booking_url",
    "billing_phone",
    "callback_response_time",
    "price_consultation",
    "price_iv_infusion",
    "price_iv_series",
    "services_offered",
    # Promises only a clinic can make (see the comments in clinic.yml).
    "treatment_monitoring",
    "payment_options",
    "after_hours_line",
)
PRICE_FIELDS = ("price_consultation", "price_iv_infusion", "price_iv_series")


class ClinicConfigError(ValueError):
    """clinic.yml is missing a field or is not a mapping."""


def load_clinic(path: Path) -> dict[str, Any]:
    """Read clinic.yml and check every field the messages rely on is there."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ClinicConfigError(f"{path}: expected 'field: value' lines")
    missing = [f for f in REQUIRED_FIELDS if not str(data.get(f, "")).strip()]
    if missing:
        raise ClinicConfigError(f"{path}: missing {', '.join(missing)}")
    return data


def placeholder_values(clinic: Mapping[str, Any]) -> dict[str, str]:
    """Values for {placeholders}; example prices say so, so nobody quotes them."""
    values = {key: str(value) for key, value in clinic.items()}
    if clinic.get("prices_are_examples", False):
        for field in PRICE_FIELDS:
            values[field] = f"{values[field]} (example price)"
    return values


def placeholders_in(text: str) -> set[str]:
    """The {names} a text uses, read the way str.format reads them."""
    return {
        name for _, name, _, _ in string.Formatter().parse(text) if name is not None
    }


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {placeholders}; unknown ones stay visible rather than crash a reply."""
    return string.Formatter().vformat(text, (), _KeepUnknown(values))


class _KeepUnknown(dict):
    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
