"""`python -m bot.cluster` (what `make run-cluster` calls): the assistant as a cluster on loopback.

Trains if needed (as `make run` does), then starts PostgreSQL, Redis, the
action server, the staff console, CLUSTER_REPLICAS Rasa replicas and nginx
(HTTPS with a certificate made now), prints where to find them and stops
everything on Ctrl-C. Data lives under var/cluster/ and is kept between runs.
"""
from __future__ import annotations

import sys

from bot import log_masking
from bot.cluster.cluster import ClusterSpec, running_cluster
from bot.privacy import make_private, restrict_new_files
from bot.run import check_model_server, choose_live_model, model_server_token, wait_for_stop
from bot.settings import get_settings
from bot.stack import RunningStack


def main() -> int:
    restrict_new_files()
    log_masking.install()
    settings = get_settings()
    var = settings.root / "var"
    make_private(var)
    model = choose_live_model()
    token = model_server_token(var)
    spec = ClusterSpec.from_settings(settings, model, model_server=True, env={"MODEL_SERVER_TOKEN": token})

    def model_server_ready(_: RunningStack) -> None:
        check_model_server(spec.staff_port, token, model.name)
        print(f"Loading {model.name} in {len(spec.replica_ports)} Rasa replicas ...", flush=True)

    with running_cluster(spec, on_start=lambda name: print(f"Starting {name} ...", flush=True),
                         before_rasa=model_server_ready):
        print(banner(spec), flush=True)
        wait_for_stop()
        print("\nStopping ...", flush=True)
    return 0


def banner(spec: ClusterSpec) -> str:
    replicas = ", ".join(f"127.0.0.1:{port}" for port in spec.replica_ports)
    return "\n".join([
        "",
        f"The assistant is running as a cluster ({len(spec.replica_ports)} Rasa replicas: {replicas}).",
        f"  Clinic demo page with the chat widget:  {spec.widget_url}",
        f"  REST channel:  curl -s --cacert {spec.certificate} -XPOST "
        f"https://localhost:{spec.https_port}/widget/webhook -H 'Content-Type: application/json' "
        "-d '{\"sender\": \"visitor-0001\", \"message\": \"what are the side effects?\"}'",
        f"  Staff console:  {spec.console_url}  (create a user: ENDPOINTS_FILE={spec.folder}/endpoints.yml "
        "DATABASE_URL=... python -m bot staff add-user ...; see docs/deploy.md)",
        f"  Plain HTTP on port {spec.http_port} redirects to HTTPS. The certificate is self-signed: "
        f"{spec.certificate}",
        f"  Data: {spec.folder} (PostgreSQL, Redis, nginx).  Logs: {spec.folder / 'logs'}",
        "Press Ctrl-C to stop.",
    ])


if __name__ == "__main__":
    sys.exit(main())
