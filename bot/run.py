"""`python -m bot.run` (what `make run` calls): start the whole assistant.

Starts the action server, the staff console (which is also the model server)
and the Rasa server (REST widget channel, SQLite conversation store, the
live model pulled from the console); prints where to find them; stops
everything on Ctrl-C.
"""
from __future__ import annotations

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
from bot.settings import Settings, get_settings
from bot.stack import RunningStack, Service, StackSpec, start
from bot.train import ensure_model, model_path


def model_server_token(var: Path) -> str:
    """The token the Rasa server shows the console's model server (var/, mode 0600)."""
    path = var / "model_server_token"
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def check_model_server(staff_port: int, token: str, expected: str) -> None:
    url = f"http://127.0.0.1:{staff_port}/model-server/live.tar.gz?token={token}"
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


def spec(settings: Settings, model: Path) -> StackSpec:
    """`make run`: one Rasa server on the repo's endpoints.yml, the action server, the console."""
    var = settings.root / "var"
    return StackSpec(model=model, endpoints_file=settings.endpoints_file, logs=var / "logs",
                     action_port=settings.action_port, rasa_ports=(settings.rasa_port,),
                     staff_port=settings.staff_port,
                     env={"MODEL_SERVER_TOKEN": model_server_token(var)},
                     rasa_args=("--cors", *settings.allowed_origins))


def announce(service: Service) -> None:
    names = {"actions": "the action server", "staff": "the staff console", "rasa": "the Rasa server"}
    print(f"Starting {names.get(service.name, 'Rasa replica ' + service.name)} ...", flush=True)


def wait_for_stop() -> None:
    """Until Ctrl-C or SIGTERM."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass


def main() -> int:
    restrict_new_files()
    log_masking.install()
    settings = get_settings()
    var = settings.root / "var"
    make_private(var)
    model = choose_live_model()
    stack_spec = spec(settings, model)

    # With a model server in endpoints.yml, Rasa ignores --model: make sure
    # the live model is there to pull from the console, or it would start empty.
    def model_server_ready(_: RunningStack) -> None:
        check_model_server(settings.staff_port, stack_spec.env["MODEL_SERVER_TOKEN"], model.name)
        print(f"Loading {model.name} ...", flush=True)

    with start(stack_spec, before_rasa=model_server_ready, on_start=announce):
        print(_banner(settings, stack_spec.logs), flush=True)
        wait_for_stop()
        print("\nStopping ...", flush=True)
    return 0


def _banner(settings: Settings, logs: Path) -> str:
    staff_url = f"http://localhost:{settings.staff_port}/"
    lines = [
        "",
        "The assistant is running.",
        f"  Clinic demo page with the chat widget:  http://localhost:{settings.rasa_port}/widget/",
        f"  REST channel:  curl -s -XPOST http://localhost:{settings.rasa_port}/widget/webhook "
        "-H 'Content-Type: application/json' "
        "-d '{\"sender\": \"visitor-0001\", \"message\": \"what are the side effects?\"}'",
    ]
    if staff_url:
        lines.append(f"  Staff console:  {staff_url}  (create a user: python -m bot staff add-user ...)")
    lines += [f"  Logs: {logs}", "Press Ctrl-C to stop."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
