"""`python -m bot.run` (what `make run` calls): start the whole assistant.

Starts the action server, the Rasa server (REST widget channel, SQLite
conversation store) and, when present, the staff console; prints where to
find them; stops everything on Ctrl-C.
"""
from __future__ import annotations

import contextlib
import importlib.util
import signal
import sys
import threading
from pathlib import Path

from bot.services import action_server_command, rasa_server_command, running
from bot.settings import get_settings
from bot.train import ensure_model

RASA_PORT, ACTION_PORT, STAFF_PORT = 5005, 5055, 5056


def main() -> int:
    settings = get_settings()
    model = ensure_model()
    logs = settings.root / "var" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    cors = ["--cors", *settings.allowed_origins]
    with contextlib.ExitStack() as stack:
        print("Starting the action server ...", flush=True)
        stack.enter_context(running(action_server_command(ACTION_PORT),
                                    f"http://127.0.0.1:{ACTION_PORT}/health",
                                    log=logs / "actions.log"))
        print("Starting the Rasa server (loading the model) ...", flush=True)
        stack.enter_context(running(
            rasa_server_command(model, RASA_PORT, settings.root / "endpoints.yml", cors),
            f"http://127.0.0.1:{RASA_PORT}/widget/health", log=logs / "rasa.log"))
        staff_url = ""
        if importlib.util.find_spec("bot.staff.app") is not None:
            stack.enter_context(running(
                [sys.executable, "-m", "bot.staff.app", "--port", str(STAFF_PORT)],
                f"http://127.0.0.1:{STAFF_PORT}/health", log=logs / "staff.log"))
            staff_url = f"http://localhost:{STAFF_PORT}/"
        print(_banner(staff_url, logs), flush=True)
        try:
            while not stop.wait(1.0):
                pass
        except KeyboardInterrupt:
            pass
        print("\nStopping ...", flush=True)
    return 0


def _banner(staff_url: str, logs: Path) -> str:
    lines = [
        "",
        "The assistant is running.",
        f"  Clinic demo page with the chat widget:  http://localhost:{RASA_PORT}/widget/",
        f"  REST channel:  curl -s -XPOST http://localhost:{RASA_PORT}/widget/webhook "
        "-H 'Content-Type: application/json' "
        "-d '{\"sender\": \"visitor-0001\", \"message\": \"what are the side effects?\"}'",
    ]
    if staff_url:
        lines.append(f"  Staff console:  {staff_url}  (create a user: python -m bot staff add-user ...)")
    lines += [f"  Logs: {logs}", "Press Ctrl-C to stop."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
