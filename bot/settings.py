"""Where things live and how a deployment is configured.

Deployment settings come from environment variables so that one checkout can
run on a laptop (SQLite file, no external services) or behind a load balancer
(PostgreSQL, Redis) without editing files. Clinic facts are not settings: they
live in clinic.yml.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """A snapshot of the deployment settings, read once per process."""

    root: Path
    database_url: str
    staff_webhook_url: str
    allowed_origins: tuple[str, ...]
    retention_days: int
    content_dir: Path
    nlu_dir: Path
    clinic_file: Path
    spacy_model_dir: Path
    web_build_dir: Path
    # The endpoints.yml the Rasa server runs with: its tracker_store section
    # is where conversations are stored, so the console reads, masks and
    # purges them there (bot/staff/conversations.py).
    endpoints_file: Path = PROJECT_ROOT / "endpoints.yml"
    # TRACKER_DB_URL: an explicit SQLAlchemy URL that overrides endpoints.yml's
    # tracker store for the console. For test set-ups that start the console
    # without the Rasa server's endpoints file; a deployment should leave it
    # unset so that there is one source of truth (a warning is logged if the
    # two differ).
    tracker_db_url: str = ""
    # The audit log outlives conversations: six years, the retention HIPAA
    # sets for compliance documentation. AUDIT_RETENTION_DAYS changes it.
    audit_retention_days: int = 6 * 365
    # Live handoff (bot/handoff/live.py). How long a visitor waits for staff
    # to join before the assistant offers the callback; how long a crisis
    # message in a live chat waits for the staff member's answer before the
    # assistant sends the crisis reply; how long a staff member counts as
    # available after their Live page last checked in.
    live_wait_seconds: float = 120.0
    live_crisis_reply_seconds: float = 0.0
    live_staff_seen_seconds: float = 60.0
    # LIVE_CHAT_NOW: a fixed "now" (ISO 8601, the clinic's local time) for
    # deciding clinic hours; tests set it so they never depend on the clock.
    live_chat_now: str = ""
    # Where `make run`'s services listen (loopback). endpoints.yml reads the
    # action and console ports from the environment bot/stack.py sets.
    rasa_port: int = 5005
    action_port: int = 5055
    staff_port: int = 5056
    # `make run-cluster` (bot/cluster/): how many Rasa replicas, and the
    # loopback ports of its nginx (HTTPS for the widget, HTTPS for the
    # console, plain HTTP that only redirects), PostgreSQL and Redis. The
    # replicas listen on rasa_port, rasa_port + 1, ...
    cluster_replicas: int = 2
    cluster_https_port: int = 8443
    cluster_console_port: int = 8444
    cluster_http_port: int = 8080
    cluster_postgres_port: int = 55432
    cluster_redis_port: int = 56379
    # Seconds a Rasa replica may hold a conversation's lock in Redis. A
    # replica killed mid-turn holds it until then, so the other replica
    # takes that conversation over after at most this long (Rasa's default
    # is 60 s, longer than the widget waits).
    lock_lifetime: int = 15
    # LOG_FORMAT: "text" (a person at a terminal) or "json" (one object a
    # line, for a log collector; the cluster's default). bot/log_format.py.
    log_format: str = "text"

    @classmethod
    def from_env(cls, root: Path | None = None) -> "Settings":
        root = Path(_env("KETAMINE_BOT_ROOT", str(root or PROJECT_ROOT)))
        var = root / "var"
        return cls(
            root=root,
            database_url=_env("DATABASE_URL", f"sqlite:///{var / 'clinic.db'}"),
            staff_webhook_url=_env("STAFF_WEBHOOK_URL", ""),
            allowed_origins=tuple(
                o.strip()
                for o in _env(
                    "ALLOWED_ORIGINS", "http://localhost:5005,http://127.0.0.1:5005"
                ).split(",")
                if o.strip()
            ),
            retention_days=int(_env("RETENTION_DAYS", "90")),
            content_dir=Path(_env("CONTENT_DIR", str(root / "data" / "content"))),
            nlu_dir=root / "data" / "nlu",
            clinic_file=Path(_env("CLINIC_FILE", str(root / "clinic.yml"))),
            spacy_model_dir=root / "build" / "spacy" / "en_clinic",
            web_build_dir=root / "build" / "web",
            endpoints_file=root / _env("ENDPOINTS_FILE", "endpoints.yml"),
            tracker_db_url=_env("TRACKER_DB_URL", ""),
            audit_retention_days=int(_env("AUDIT_RETENTION_DAYS", str(6 * 365))),
            live_wait_seconds=float(_env("LIVE_WAIT_SECONDS", "120")),
            live_crisis_reply_seconds=float(_env("LIVE_CRISIS_REPLY_SECONDS", "0")),
            live_staff_seen_seconds=float(_env("LIVE_STAFF_SEEN_SECONDS", "60")),
            live_chat_now=_env("LIVE_CHAT_NOW", ""),
            rasa_port=int(_env("RASA_PORT", "5005")),
            action_port=int(_env("ACTION_PORT", "5055")),
            staff_port=int(_env("STAFF_PORT", "5056")),
            cluster_replicas=int(_env("CLUSTER_REPLICAS", "2")),
            cluster_https_port=int(_env("CLUSTER_HTTPS_PORT", "8443")),
            cluster_console_port=int(_env("CLUSTER_CONSOLE_PORT", "8444")),
            cluster_http_port=int(_env("CLUSTER_HTTP_PORT", "8080")),
            cluster_postgres_port=int(_env("CLUSTER_POSTGRES_PORT", "55432")),
            cluster_redis_port=int(_env("CLUSTER_REDIS_PORT", "56379")),
            lock_lifetime=int(_env("TICKET_LOCK_LIFETIME", "15")),
            log_format="json" if _env("LOG_FORMAT", "text").strip().lower() == "json" else "text",
        )


def get_settings() -> Settings:
    """Settings for this process; cheap enough to call per request."""
    return Settings.from_env()
