"""`python -m bot.rasa_server ARGS...`: `rasa ARGS...` with two settings Rasa has no flag for.

- Contact details are masked in every log record (bot/log_masking.py): in
  debug mode Rasa logs each message a visitor sends, phone numbers included.
- Request bodies are capped before they are read. Sanic's default is 100 MB;
  the widget sends a few hundred bytes, and bot/web/requests.py refuses
  anything over 64 KiB once read. Sanic takes SANIC_-prefixed settings from
  the environment when Rasa creates its app, so setting it here, in this
  process only, is enough.
"""
from __future__ import annotations

import os
import sys

from bot import log_masking
from bot.privacy import restrict_new_files

MAX_BODY_BYTES = 128 * 1024


def main(argv: list[str]) -> int:
    restrict_new_files()
    log_masking.install()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))
    # Errors Sanic raises before a route runs (413 above all) in JSON, like ours.
    os.environ.setdefault("SANIC_FALLBACK_ERROR_FORMAT", "json")
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *argv]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
