"""`python -m bot.run` (what `make run` calls): start the whole assistant.

Starts the action server, the staff console (which is also the model server)
and the Rasa server (REST widget channel, SQLite conversation store, the
live model pulled from the console); prints where to find them; stops
everything on Ctrl-C.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from bot import log_masking, model_updates
from bot.privacy import make_private, restrict_new_files
from bot.services import action_server_command, rasa_server_command, running
from bot.settings import get_settings
from bot.train import ensure_model, model_path, rasa_env

RASA_PORT, ACTION_PORT, STAFF_PORT = 5005, 5055, 5056


def model_server_token(var: Path) -> str:
    """The token the Rasa server shows the console's model server (var/, mode 0600)."""
    path = var / "model_server_token"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def check_model_server(token: str, expected: str) -> None:
    url = f"http://127.0.0.1:{STAFF_PORT}/model-server/live.tar.gz?token={token}"
    request = urllib.request.Request(url, method="GET", headers={"If-None-Match": expected})
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return
        raise SystemExit(f"The console's model server answered {error.code}; see var/logs/staff.log")
    except urllib.error.URLError as error:
        raise SystemExit(f"The console's model server is not reachable: {error.reason}")


def choose_live_model() -> Path:
    """Train if the training data changed; a model trained now becomes live.

    Changing the training data on disk and restarting is a deliberate
    update; otherwise the model a reviewer published stays live.
    """
    root = get_settings().root
    trained_now = not model_path(root).exists()
    model = ensure_model()
    live = model_updates.live_model()
    if trained_now or live is None or not (model_updates.live_pointer().exists()):
        model_updates.publish(model.name, "make run", require_report=False)
        return model
    return live


def main() -> int:
    restrict_new_files()
    log_masking.install()
    settings = get_settings()
    var = settings.root / "var"
    make_private(var)
    model = choose_live_model()
    logs = var / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**rasa_env(), "MODEL_SERVER_TOKEN": model_server_token(var)}
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    cors = ["--cors", *settings.allowed_origins]
    with contextlib.ExitStack() as stack:
        print("Starting the action server ...", flush=True)
        stack.enter_context(running(action_server_command(ACTION_PORT),
                                    f"http://127.0.0.1:{ACTION_PORT}/health",
                                    env=env, log=logs / "actions.log"))
        # The console first: it is also the model server the Rasa server pulls from.
        print("Starting the staff console ...", flush=True)
        stack.enter_context(running(
            [sys.executable, "-m", "bot.staff.app", "--port", str(STAFF_PORT)],
            f"http://127.0.0.1:{STAFF_PORT}/health", env=env, log=logs / "staff.log"))
        staff_url = f"http://localhost:{STAFF_PORT}/"
        # With a model server in endpoints.yml, Rasa ignores --model: make
        # sure the live model is there to pull, or it would start empty.
        check_model_server(env["MODEL_SERVER_TOKEN"], model.name)
        print(f"Starting the Rasa server (loading {model.name}) ...", flush=True)
        stack.enter_context(running(
            rasa_server_command(model, RASA_PORT, settings.endpoints_file, cors),
            f"http://127.0.0.1:{RASA_PORT}/widget/health", env=env, log=logs / "rasa.log"))
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
