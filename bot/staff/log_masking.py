"""A logging filter that masks phone numbers and email addresses.

The console's logs (and anything else that installs this filter) must never
hold a caller's contact details; only the callback record itself does.
"""
from __future__ import annotations

import logging

from bot.privacy import mask_contact_details


class MaskContactDetails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_contact_details(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_contact_details(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> MaskContactDetails:
    """Mask every record that reaches the handlers of logger (default: root)."""
    target = logger or logging.getLogger()
    mask = MaskContactDetails()
    if not target.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in target.handlers:
        handler.addFilter(mask)
    return mask
