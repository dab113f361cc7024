"""`python -m bot.rasa_server ARGS...`: `rasa ARGS...` with two settings Rasa has no flag for.

- Contact details are masked in every log record (bot/log_masking.py): in
  debug mode Rasa logs each message a visitor sends, phone numbers included.
- LOG_FORMAT=json: log lines are JSON objects (bot/log_format.py) instead of
  Rasa's coloured text.
- Request bodies are capped before they are read. Sanic's default is 100 MB;
  the widget sends a few hundred bytes, and bot/web/requests.py refuses
  anything over 64 KiB once read. Sanic takes SANIC_-prefixed settings from
  the environment when Rasa creates its app, so setting it here, in this
  process only, is enough.
"""
from __future__ import annotations

import os
import sys

from bot import log_format, log_masking
from bot.privacy import restrict_new_files

MAX_BODY_BYTES = 128 * 1024


def main(argv: list[str]) -> int:
    restrict_new_files()
    log_masking.install()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))
    # Errors Sanic raises before a route runs (413 above all) in JSON, like ours.
    os.environ.setdefault("SANIC_FALLBACK_ERROR_FORMAT", "json")
    if log_format.log_format() == "json":
        # Rasa installs coloredlogs on the root logger once it has parsed its
        # arguments; in JSON mode our formatter takes that place instead.
        # Before Rasa is imported, so the warnings its imports raise are JSON too.
        log_format.configure("rasa")
        import rasa.utils.io

        rasa.utils.io.configure_colored_logging = lambda level: log_format.configure("rasa", level or None)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
