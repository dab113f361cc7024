"""Contact details never reach a log, in any process we start.

Only the callback record itself holds a visitor's phone number or email.
Rasa (in debug mode it logs every message), rasa_sdk, SQLAlchemy's error
messages and our own code all log through `logging`, and each configures its
handlers its own way, at its own time. So the masking sits where every record
is made, the log record factory, rather than on handlers that a later
`logging.basicConfig` or Rasa's own set-up would replace.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from bot.privacy import mask_contact_details

_MARK = "masks_contact_details"


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask the message and any traceback of record, in place."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001  a bad format string: keep the raw text
        message = f"{record.msg} {record.args}"
    masked = mask_contact_details(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask_contact_details(record.exc_text)
    return record


def install() -> None:
    """Mask every log record this process makes from now on (idempotent)."""
    current: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(current(*args, **kwargs))

    setattr(masking_factory, _MARK, True)
    logging.setLogRecordFactory(masking_factory)
