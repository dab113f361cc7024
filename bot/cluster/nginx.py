"""nginx in front of the cluster: its configuration and a self-signed certificate.

- HTTPS for the widget (/widget/ on the HTTPS port, spread over the Rasa
  replicas) and, on its own port, for the staff console; plain HTTP only
  redirects to HTTPS.
- A replica that refuses connections (dead, restarting) is skipped: nginx
  passes the request to the next one. A request already sent to a replica
  that then dies is NOT passed on (POST is not idempotent): it fails with a
  502, and the widget retries it with the same message id, which the channel
  deduplicates (bot/web/dedup.py).
- When no replica answers, the visitor gets JSON with the crisis line rather
  than nginx's HTML page, so the widget shows 911 and 988 with the clinic's
  phone number.
- Request bodies are capped as the Rasa server caps them; the access log is
  off (the masking of bot/log_masking.py cannot reach nginx's log, and the
  addresses it would hold are personal data).
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bot.cluster.servers import RunAs, ServerUnavailable, find_program

OFFLINE_MESSAGE = ("Sorry, we can't reach the assistant right now. Please try again in a moment, "
                   "or call the clinic.")


@dataclass(frozen=True)
class NginxPorts:
    https: int
    console: int
    http: int


def make_certificate(folder: Path, run_as: RunAs) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, made at each start (30 days)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "localhost.crt", folder / "localhost.key"
    result = subprocess.run(
        [find_program("openssl", "openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "30", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        capture_output=True, text=True)
    if result.returncode != 0:
        raise ServerUnavailable(f"openssl could not make a certificate:\n{result.stderr}")
    key.chmod(0o600)
    run_as.give(folder)
    return cert, key


def offline_body(crisis_line: str) -> str:
    return json.dumps({"error": f"{OFFLINE_MESSAGE} {crisis_line}"})


def config(folder: Path, ports: NginxPorts, replicas: Sequence[int], console: int,
           cert: Path, key: Path, crisis_line: str, max_body: str = "128k") -> str:
    """nginx.conf for the cluster; every listen address is loopback."""
    temp = folder / "temp"
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in replicas)
    offline = offline_body(crisis_line).replace("'", "\\'")
    tls = f"""        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        add_header Strict-Transport-Security "max-age=31536000" always;"""
    proxy = """            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto https;"""
    return f"""# Written by bot/cluster/nginx.py at each start of `make run-cluster`; edits are lost.
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}

http {{
    access_log off;
    server_tokens off;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    client_max_body_size {max_body};

    upstream rasa {{
{servers}
        keepalive 32;
    }}
    upstream console {{
        server 127.0.0.1:{console};
    }}

    server {{
        listen 127.0.0.1:{ports.http};
        return 301 https://$host:{ports.https}$request_uri;
    }}

    server {{
        listen 127.0.0.1:{ports.https} ssl;
{tls}
        location = / {{ return 302 /widget/; }}
        location = /nginx-health {{ default_type application/json; return 200 '{{"status": "ok"}}'; }}
        # Metrics are for Prometheus on the private network, not for visitors.
        location = /widget/metrics {{ return 404; }}
        location /widget/ {{
            proxy_pass http://rasa;
{proxy}
            # A refused or failed connection goes to the next replica; a
            # request already sent is not resent (the widget retries it).
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_intercept_errors off;
            error_page 502 503 504 = @offline;
        }}
        location @offline {{
            default_type application/json;
            return 503 '{offline}';
        }}
        location / {{ return 404; }}
    }}

    server {{
        listen 127.0.0.1:{ports.console} ssl;
{tls}
        location / {{
            proxy_pass http://console;
{proxy}
        }}
    }}
}}
"""


def prepare(folder: Path, run_as: RunAs) -> None:
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "temp" / name).mkdir(parents=True, exist_ok=True)
    run_as.give(folder)
