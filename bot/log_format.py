"""Log lines as JSON, one object a line, for a log collector (LOG_FORMAT=json).

`make run` prints plain text for a person at a terminal (LOG_FORMAT=text,
the default). A cluster's processes (`make run-cluster`, and the systemd
units in deploy/) write JSON, so journald, Loki or Elasticsearch can filter
by level, process and logger without parsing text:

    {"time": "2026-12-02T09:50:01.123Z", "level": "ERROR", "service": "rasa",
     "pid": 4242, "logger": "bot.web.channel", "message": "...", "exception": "..."}

The contact-detail masking of bot/log_masking.py still applies: records are
masked where they are made, and this formatter masks the message and the
traceback again, so a record made before the masking was installed (or by a
library that formats its own text) does not slip through in JSON either.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
from typing import Any, Optional

from bot.privacy import mask_contact_details

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, service, pid, logger, message, exception."""

    def __init__(self, *args: Any, service: Optional[str] = None, **kwargs: Any) -> None:
        # dictConfig (Sanic's logging set-up) passes fmt/datefmt/style: ignored.
        super().__init__()
        self.service = service or os.environ.get("LOG_SERVICE") or os.path.basename(sys.argv[0] or "python")

    def format(self, record: logging.LogRecord) -> str:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001  a bad format string: keep the raw text
            message = f"{record.msg} {record.args}"
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
            .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "service": self.service,
            "pid": record.process,
            "logger": record.name,
            "message": mask_contact_details(message),
        }
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = mask_contact_details(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask_contact_details(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_format() -> str:
    """LOG_FORMAT through Settings: "json", or "text" for anything else."""
    from bot.settings import get_settings

    return get_settings().log_format


def formatter(service: str) -> logging.Formatter:
    if log_format() == "json":
        return JsonFormatter(service=service)
    return logging.Formatter(TEXT_FORMAT)


def configure(service: str, level: Any = None) -> None:
    """The root logger writes to stderr in LOG_FORMAT; replaces basicConfig in our processes.

    In JSON mode Sanic's own loggers (sanic.root, sanic.error, sanic.access:
    Sanic configures them when an app is made) get the JSON formatter too.
    """
    service = os.environ.setdefault("LOG_SERVICE", service)  # a replica's own name, if set
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(service))
    root.addHandler(handler)
    root.setLevel(level or os.environ.get("LOG_LEVEL", "INFO"))
    if log_format() == "json":
        # Python's warnings (deprecations in libraries) become records too,
        # instead of plain lines on stderr between the JSON ones.
        logging.captureWarnings(True)
        _sanic_json()


def _sanic_json() -> None:
    try:
        from sanic.log import LOGGING_CONFIG_DEFAULTS
    except ImportError:  # the console has no Sanic
        return
    for name in LOGGING_CONFIG_DEFAULTS.get("formatters", {}):
        LOGGING_CONFIG_DEFAULTS["formatters"][name] = {"()": "bot.log_format.JsonFormatter"}
    for name in ("sanic.root", "sanic.error", "sanic.access"):
        for handler in logging.getLogger(name).handlers:  # an app made already
            handler.setFormatter(JsonFormatter())
