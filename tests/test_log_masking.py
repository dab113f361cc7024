"""bot/log_masking.py: every record masked where it is made (issue #11)."""
from __future__ import annotations

import io
import logging
from typing import Iterator

import pytest

from bot import log_masking


@pytest.fixture
def masked_logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    previous = logging.getLogRecordFactory()
    log_masking.install()
    logger = logging.getLogger("test.log_masking")
    logger.propagate = False
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logging.setLogRecordFactory(previous)


def test_a_handler_added_after_install_still_gets_masked_text(masked_logger) -> None:
    logger, stream = masked_logger
    logger.warning("Callback for %s at %s", "jo@mail.example", "(555) 201-3344")
    assert stream.getvalue().strip() == "Callback for [email] at [phone]"


def test_tracebacks_are_masked_too(masked_logger) -> None:
    logger, stream = masked_logger
    try:
        raise ValueError("INSERT INTO handoffs VALUES ('Maria', '+12025550182', 'sam@mail.example')")
    except ValueError:
        logger.exception("Callback request not saved")
    text = stream.getvalue()
    assert "ValueError" in text and "[phone]" in text and "[email]" in text
    assert "2025550182" not in text and "sam@mail.example" not in text


def test_install_twice_masks_once(masked_logger) -> None:
    logger, stream = masked_logger
    factory = logging.getLogRecordFactory()
    log_masking.install()
    assert logging.getLogRecordFactory() is factory
    logger.error("call 555 201 3344")
    assert stream.getvalue().strip() == "call [phone]"


def test_a_broken_format_string_is_logged_not_raised(masked_logger) -> None:
    logger, stream = masked_logger
    logger.error("%s and %s", "only one 555 201 3344")
    assert "201 3344" not in stream.getvalue()
