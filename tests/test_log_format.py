"""bot/log_format.py: JSON log lines, masked like the text ones (issue #14, item 3)."""
from __future__ import annotations

import copy
import io
import json
import logging
import logging.config
from typing import Iterator

import pytest

from bot import log_format, log_masking


SANIC_LOGGERS = ("sanic.root", "sanic.error", "sanic.access")


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Everything JSON mode changes in this process, put back afterwards,
    so later tests in the same run log as they would alone."""
    from sanic.log import LOGGING_CONFIG_DEFAULTS

    root = logging.getLogger()
    handlers, level, factory = list(root.handlers), root.level, logging.getLogRecordFactory()
    sanic_formatters = copy.deepcopy(LOGGING_CONFIG_DEFAULTS.get("formatters", {}))
    sanic_handlers = {h: h.formatter for name in SANIC_LOGGERS for h in logging.getLogger(name).handlers}
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        logging.setLogRecordFactory(factory)
        logging.captureWarnings(False)
        LOGGING_CONFIG_DEFAULTS["formatters"] = sanic_formatters
        for handler, formatter in sanic_handlers.items():
            handler.setFormatter(formatter)


def _record(message: str, *args: object, exc_info=None) -> logging.LogRecord:  # noqa: ANN001
    return logging.LogRecord("bot.web.channel", logging.ERROR, __file__, 1, message, args, exc_info)


def test_a_record_is_one_json_line_with_its_fields_and_masked_text() -> None:
    line = log_format.JsonFormatter(service="rasa-2").format(
        _record("Callback for %s at %s", "jo@mail.example", "(555) 201-3344"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Callback for [email] at [phone]"
    assert (entry["level"], entry["service"], entry["logger"]) == ("ERROR", "rasa-2", "bot.web.channel")
    assert entry["time"].endswith("Z") and isinstance(entry["pid"], int)


def test_a_traceback_is_inside_the_record_and_masked() -> None:
    try:
        raise ValueError("INSERT INTO handoffs VALUES ('Maria', '+12025550182', 'sam@mail.example')")
    except ValueError:
        import sys

        record = _record("Callback request not saved", exc_info=sys.exc_info())
    entry = json.loads(log_format.JsonFormatter(service="actions").format(record))
    assert "ValueError" in entry["exception"] and "[phone]" in entry["exception"]
    assert "2025550182" not in json.dumps(entry) and "sam@mail.example" not in json.dumps(entry)


def test_configure_writes_json_to_stderr_when_asked(monkeypatch, capsys, root_logging) -> None:
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("LOG_SERVICE", "staff")
    log_masking.install()
    log_format.configure("staff", logging.INFO)
    logging.getLogger("bot.staff").warning("call me on 555 201 3344")
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["service"] == "staff" and entry["message"] == "call me on [phone]"


def test_text_stays_the_default(monkeypatch, capsys, root_logging) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.setenv("LOG_SERVICE", "actions")
    log_masking.install()
    log_format.configure("actions")
    logging.getLogger("bot.actions").error("mail jo@mail.example")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.endswith("ERROR bot.actions: mail [email]")


def test_sanics_loggers_get_the_json_formatter(monkeypatch, root_logging) -> None:
    from sanic.log import LOGGING_CONFIG_DEFAULTS

    saved = {name: dict(value) for name, value in LOGGING_CONFIG_DEFAULTS["formatters"].items()}
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("LOG_SERVICE", "rasa-1")
    try:
        log_format.configure("rasa-1")
        stream = io.StringIO()
        config = {**LOGGING_CONFIG_DEFAULTS, "handlers": {"console": {
            "class": "logging.StreamHandler", "formatter": "generic", "stream": stream}},
            "loggers": {"sanic.test": {"handlers": ["console"], "propagate": False}}}
        logging.config.dictConfig(config)
        logging.getLogger("sanic.test").info("Starting worker")
        assert json.loads(stream.getvalue())["message"] == "Starting worker"
    finally:
        LOGGING_CONFIG_DEFAULTS["formatters"].clear()
        LOGGING_CONFIG_DEFAULTS["formatters"].update(saved)
        logging.getLogger("sanic.test").handlers.clear()
