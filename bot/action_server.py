"""`python -m bot.action_server --port N`: rasa_sdk's action server, locked down.

rasa_sdk's own `rasa run actions` binds to every interface, answers anyone,
inflates a deflate body without limit and, when an action crashes, sends the
whole tracker (names, phone numbers) back to the caller, which Rasa then
logs. The actions themselves trust the slots they are sent, so a forged
request could put invented urgent callback requests at the top of the staff
queue. This entry point serves the same app with:

- loopback unless SANIC_HOST says otherwise;
- a shared secret: every request but /health and /metrics must carry the token that
  endpoints.yml gives the Rasa server (`token: ${ACTION_SERVER_TOKEN}`, sent
  as `?token=`); without one configured the server refuses to start;
- a body cap enforced by Sanic before the body is read, and a cap on what a
  deflate body may inflate to;
- errors answered with a short message, never the request body;
- contact details masked in every log record (bot/log_masking.py).
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
import zlib
from typing import Optional

from bot import log_format, log_masking, metrics
from bot.privacy import restrict_new_files
from bot.settings import get_settings

TOKEN_ENV = "ACTION_SERVER_TOKEN"
# A tracker grows with the conversation; a few hundred turns with their parse
# data stay well under this, and nothing legitimate comes near it inflated.
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_INFLATED_BYTES = 16 * 1024 * 1024

logger = logging.getLogger(__name__)


def inflates_beyond(body: bytes, limit: int) -> bool:
    """True when a deflate body would inflate to more than limit bytes (or is not deflate)."""
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(body, limit + 1)
    except zlib.error:
        return True
    return len(inflated) > limit or bool(inflater.unconsumed_tail)


def authorised(given: Optional[str], token: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), token.encode())


def create_app(token: str, actions: str = "actions"):  # noqa: ANN201  (a Sanic app)
    """rasa_sdk's app with the checks above; token must not be empty."""
    if not token:
        raise ValueError(f"{TOKEN_ENV} is empty: the action server would answer anyone")
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response
    from sanic.exceptions import SanicException

    app = sdk_app(actions, cors_origins=[])  # only the Rasa server calls it: no browser access
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    @app.middleware("request")
    async def _check(request):  # noqa: ANN001, ANN202
        if request.path in ("/health", "/metrics"):  # no visitor data in either
            return None
        if not authorised(request.args.get("token"), token):
            return response.json({"error": "forbidden"}, status=403)
        if (request.headers.get("Content-Encoding") == "deflate"
                and inflates_beyond(request.body or b"", MAX_INFLATED_BYTES)):
            return response.json({"error": "body too large or not deflate"}, status=413)
        return None

    @app.exception(Exception)
    async def _error(request, exception):  # noqa: ANN001, ANN202
        if isinstance(exception, SanicException):  # 404, 405, 413 ...: Sanic's own answer
            return response.json({"error": str(exception)}, status=exception.status_code)
        logger.error("Action request to %s failed", request.path, exc_info=exception)
        metrics.ERRORS.labels("action").inc()
        return response.json({"error": "the action failed"}, status=500)

    @app.get("/metrics")
    async def _metrics(_request):  # noqa: ANN001, ANN202
        """Prometheus: this server's errors and the callback queue length (bot/metrics.py)."""
        metrics.update_queue_length(get_settings().database_url)
        body, content_type = metrics.exposition()
        return response.raw(body, content_type=content_type)

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.action_server", description=__doc__)
    parser.add_argument("--port", type=int, default=get_settings().action_port)
    parser.add_argument("--actions", default="actions")
    args = parser.parse_args(argv)
    restrict_new_files()
    log_masking.install()
    log_format.configure("actions")  # text, or JSON with LOG_FORMAT=json
    app = create_app(os.environ.get(TOKEN_ENV, ""), args.actions)
    host = os.environ.get("SANIC_HOST") or "127.0.0.1"
    logger.info("Action server on http://%s:%d", host, args.port)
    from rasa_sdk.utils import number_of_sanic_workers

    app.run(host, args.port, workers=number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
