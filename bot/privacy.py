"""Masking contact details wherever text leaves the callback record itself."""
from __future__ import annotations

import re

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
