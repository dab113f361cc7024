"""Checking the contact details a visitor gives in the callback form."""
from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.privacy import EMAIL_PATTERN

DEFAULT_REGION = "US"
MAX_NAME_LENGTH = 60
_NAME_LEAD_IN = re.compile(r"^(my name is|my name's|name is|i am|i'm|im|it's|its|this is|call me)\s+", re.I)


@dataclass(frozen=True)
class Contact:
    kind: str  # "phone" or "email"
    value: str  # normalised: E.164 for phones, the checked address for email
    display: str  # how we read it back to the visitor


def parse_contact(text: str, region: str = DEFAULT_REGION) -> Contact | None:
    """A valid phone number or email address from what the visitor typed, or None."""
    text = (text or "").strip()
    if not text or len(text) > 254:
        return None
    if "@" in text:
        # "you can reach me at sam@mail.com" as well as the bare address;
        # the privacy module's pattern finds it, email-validator checks it.
        found = EMAIL_PATTERN.findall(text)
        if len(found) != 1:
            return None
        try:
            checked = validate_email(found[0].rstrip("."), check_deliverability=False)
        except EmailNotValidError:
            return None
        return Contact("email", checked.normalized, checked.normalized)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return Contact(
        "phone",
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    )


def clean_first_name(text: str) -> str | None:
    """A plausible first name, or None: letters, spaces, hyphens and apostrophes only."""
    name = _NAME_LEAD_IN.sub("", " ".join((text or "").split())).strip(" .!,")
    if not name or len(name) > MAX_NAME_LENGTH:
        return None
    if not all(ch.isalpha() or ch in " -'." for ch in name):
        return None
    if len(name.split()) > 3:
        return None
    return name[:1].upper() + name[1:]
