"""Masking contact details wherever text leaves the callback record itself."""
from __future__ import annotations

import os
import re
from pathlib import Path

import phonenumbers

EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DEFAULT_REGION = "US"


def mask_contact_details(text: str, region: str = DEFAULT_REGION) -> str:
    """Replace phone numbers and email addresses with [phone] and [email]."""
    if not text:
        return text
    masked = EMAIL_PATTERN.sub("[email]", text)
    spans = [
        (m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(masked, region, leniency=phonenumbers.Leniency.POSSIBLE)
    ]
    for start, end in reversed(spans):
        masked = masked[:start] + "[phone]" + masked[end:]
    return masked


def restrict_new_files() -> None:
    """Files and folders this process creates are its user's alone (0600/0700).

    Conversations, callback requests and logs hold health information; under
    the usual umask 022 every account on the machine could read them. Every
    entry point we start calls this first; child processes inherit it.
    """
    os.umask(0o077)


def make_private(directory: Path) -> None:
    """Create directory if needed and take group/other access off everything in it.

    For var/ folders made before restrict_new_files() was called everywhere.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for path in [directory, *directory.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(0o700 if path.is_dir() else 0o600)
