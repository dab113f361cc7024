"""The widget's channel: Rasa's REST protocol, checked input, and the files.

Loaded by Rasa from credentials.yml. It serves, under /widget/:
  GET  /widget/            the fictional clinic's demo page with the widget
  GET  /widget/static/...  the built widget (build/web, made by `npm run build`)
  POST /widget/webhook     {"sender", "message", "message_id"?, "retry"?} -> [{"text", "buttons", "custom"}]
                           (a retry with a message_id already processed gets that turn's
                           replies again, bot/web/dedup.py)
  POST /widget/feedback    {"sender", "answer_id", "helpful"} -> 204
  POST /widget/live        {"sender", "after", "typing"} -> a live chat's new messages
                           (long poll; bot/web/live.py)
  GET  /widget/health      the process is up
  GET  /widget/ready       the model is loaded and the tracker and lock stores answer (503 if not)
  GET  /widget/metrics     Prometheus metrics (bot/metrics.py)
REST rather than socket.io: each turn is one stateless request, so any Rasa
replica behind a load balancer can answer it (see README, "Transport").
"""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import metrics
from bot.abuse_limits import CLIENT_METADATA_KEY, Refused, abuse_limits, client_key
from bot.handoff import live
from bot.models import utcnow
from bot.safety.decision import PARSE_DATA_KEY, SAFETY_REVIEW_KINDS, SafetyDecision
from bot.web import pages
from bot.web.crisis import CRISIS_LINE
from bot.web.dedup import handle_retry, replies_of_kept_turn
from bot.web.feedback import record_feedback
from bot.web.live import LiveBridge
from bot.web.requests import BadRequest, parse_chat, parse_feedback, parse_live_poll, require_json
from bot.settings import get_settings

logger = logging.getLogger(__name__)
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json",
                ".svg": "image/svg+xml", ".png": "image/png"}




def client_of(request: Request) -> str:
    """The keyed hash of the client's address (a proxy's forwarded one when
    Sanic is configured to trust it, else the socket's)."""
    return client_key(request.remote_addr or request.ip or "unknown")


def too_many(refused: Refused) -> HTTPResponse:
    return response.json(
        {"error": "You're sending messages faster than I can answer. Please wait a minute "
                  "and try again. " + CRISIS_LINE, "retry_after": refused.retry_after},
        status=429, headers={"Retry-After": str(refused.retry_after)})


def _message_refused(client: str, sender: str) -> Optional[Refused]:
    limits = abuse_limits()
    if not limits.enabled:
        return None
    try:
        refused = [limits.hit("messages_per_client", client),
                   limits.hit("messages_per_conversation", sender)]
        if limits.first_sight(sender):
            refused.append(limits.hit("conversations_per_client", client))
    except Exception:  # noqa: BLE001  the limits' store (Redis) is down: never refuse a visitor for that
        logger.exception("Abuse limits could not be counted; letting the message through")
        return None
    return next((r for r in refused if r is not None), None)


async def _is_risky(request: Request, text: str) -> bool:
    """The safety decision on text alone (the NLU pipeline, no tracker, no actions)."""
    try:
        parse_data = await request.app.ctx.agent.parse_message(text)
    except Exception:  # noqa: BLE001  if we cannot tell, let the message through
        logger.exception("Safety screen of a limited message failed; letting it through")
        return True
    decision = SafetyDecision.from_dict(parse_data.get(PARSE_DATA_KEY))
    return decision.kind in SAFETY_REVIEW_KINDS  # crisis, emergency, check-in, distress


async def _answer_was_sent(request: Request, sender: str, answer_id: str) -> bool:
    """Feedback only on answers this conversation was actually given."""
    tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
    if tracker is None:
        return False
    return any(isinstance(event, BotUttered)
               and ((event.data or {}).get("custom") or {}).get("answer_id") == answer_id
               for event in tracker.events)


async def _live_session(bridge: LiveBridge, agent: Any, sender: str) -> Any:
    """The conversation's open live chat, if any; None also when that cannot be told.

    A database problem of the live chat must not keep a visitor (in crisis
    or not) from the assistant: then the assistant answers as usual.
    """
    try:
        session = await asyncio.to_thread(live.active_session, bridge.settings.database_url, sender)
        if session is not None and session.state == live.WAITING and session.wait_until <= utcnow():
            # Nobody joined in time and no poll noticed yet: the assistant answers.
            await asyncio.to_thread(live.claim_unanswered, bridge.settings.database_url, session.id,
                                    bridge.notice("utter_live_unanswered"))
            session = None
        if session is None:
            # Staff messages and notices the widget has not polled for yet go first.
            await bridge.record_pending(agent, sender)
        return session
    except Exception:  # noqa: BLE001
        logger.exception("Could not read the live chat state of %s; the assistant answers", sender)
        return None


READINESS_PROBE_ID = "readiness-probe"


async def readiness_problems(agent: Any) -> Dict[str, str]:
    """What keeps this replica from answering a turn: {part: problem}, empty when ready."""
    problems: Dict[str, str] = {}
    if agent is None or not agent.is_ready():
        problems["model"] = "not loaded"
        return problems
    try:
        await agent.tracker_store.retrieve(READINESS_PROBE_ID)  # a conversation that never exists
    except Exception as error:  # noqa: BLE001  reported, not raised
        problems["tracker_store"] = type(error).__name__
    try:
        agent.lock_store.get_lock(READINESS_PROBE_ID)
    except Exception as error:  # noqa: BLE001
        problems["lock_store"] = type(error).__name__
    return problems


class WholeMessageCollector(OutputChannel):
    """Keeps each bot message whole (text, buttons and custom payload together)."""

    @classmethod
    def name(cls) -> Text:
        return "widget"

    def __init__(self) -> None:
        self.messages: List[Dict[str, Any]] = []

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        entry: Dict[str, Any] = {"recipient_id": recipient_id, "text": message.get("text") or ""}
        for key in ("buttons", "custom", "quick_replies"):
            if message.get(key):
                entry[key] = message[key]
        self.messages.append(entry)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class WidgetInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "widget"

    def url_prefix(self) -> Text:
        return "/widget"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("widget_channel", __name__)
        settings = get_settings()
        bridge = LiveBridge(settings)

        @blueprint.listener("before_server_start")
        async def _too_large_as_json(app, _loop) -> None:  # noqa: ANN001
            # Sanic refuses an oversized body (bot/rasa_server.py) before any
            # route runs; answer it like every other refusal of ours.
            app.error_handler.add(PayloadTooLarge, lambda _request, _error: response.json(
                {"error": "The request is too large."}, status=413))

        @blueprint.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            """Readiness: the model is loaded and the stores a turn needs answer.

            /health says the process is up (a load balancer may send it
            turns); /ready says a turn would succeed now, for monitoring and
            for a rolling restart to wait on.
            """
            problems = await readiness_problems(request.app.ctx.agent)
            return response.json({"status": "ready" if not problems else "not ready", "problems": problems},
                                 status=200 if not problems else 503)

        @blueprint.route("/metrics", methods=["GET"])
        async def prometheus_metrics(_: Request) -> HTTPResponse:
            """Prometheus scrapes each replica here, on loopback; nginx refuses it from outside."""
            body, content_type = metrics.exposition()
            return response.raw(body, content_type=content_type)

        @blueprint.route("/", methods=["GET"])
        async def demo_page(_: Request) -> HTTPResponse:
            return pages.html_response(pages.demo_page(settings))

        @blueprint.route("/static/<name:path>", methods=["GET"])
        async def static(_: Request, name: str) -> HTTPResponse:
            path = (settings.web_build_dir / name).resolve()
            if settings.web_build_dir.resolve() not in path.parents or not path.is_file():
                return response.json({"error": "not found"}, status=404)
            return pages.file_response(path, STATIC_TYPES.get(path.suffix, "application/octet-stream"))

        @blueprint.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                require_json(request.headers.get("Content-Type"))
                chat = parse_chat(request.body or b"")
            except BadRequest as error:
                # The widget adds the crisis line, with its links, to any error
                # whose sentence lacks it (web/src/widget.js).
                return response.json({"error": str(error)}, status=error.status)
            client = client_of(request)
            refused = _message_refused(client, chat.sender)
            # The crisis reply is never withheld: a limited message still goes
            # through when the safety decision finds risk in it.
            if refused is not None and not await _is_risky(request, chat.message):
                return too_many(refused)
            collector = WholeMessageCollector()
            metadata = {CLIENT_METADATA_KEY: client}
            message = UserMessage(chat.message, collector, chat.sender, input_channel=self.name(),
                                  message_id=chat.message_id, metadata=metadata)
            agent = request.app.ctx.agent

            async def answer() -> List[Dict[str, Any]]:
                if not agent.is_ready():
                    # Rasa would answer nothing at all; the visitor must get
                    # the error and its crisis line instead.
                    raise RuntimeError("no model loaded")
                if chat.retry:
                    if await handle_retry(agent, message, collector):
                        logger.info("A retried turn of %s had been processed; its replies were sent again",
                                    chat.sender)
                else:
                    await on_new_message(message)
                return collector.messages

            began = time.perf_counter()
            metrics.IN_FLIGHT.inc()
            try:
                if chat.message.strip() == live.LIVE_PAYLOAD:
                    replies = await bridge.request(agent, chat.sender)  # the same again on a retry
                else:
                    session = await _live_session(bridge, agent, chat.sender)
                    kept = None
                    if session is not None and chat.retry:
                        # A retry during a live chat: a message already kept
                        # for staff is not kept (and shown to them) twice.
                        kept = await replies_of_kept_turn(agent, chat.sender, chat.message_id)
                    if kept is not None:
                        for reply in kept:  # as a first attempt sent them
                            await collector.send_response(chat.sender, reply)
                        replies = collector.messages
                    elif session is not None:
                        replies = await bridge.visitor_message(agent, session, chat.message, metadata,
                                                               answer, message_id=chat.message_id)
                    else:
                        replies = await answer()
            except Exception:  # noqa: BLE001  the visitor gets a clear message, staff get the log
                logger.exception("Could not handle a message from %s", chat.sender)
                metrics.TURNS.labels("error").inc()
                metrics.ERRORS.labels("turn").inc()
                return response.json(
                    {"error": "Something went wrong on our side. Please try again, or call the clinic. "
                              + CRISIS_LINE},
                    status=500,
                )
            finally:
                metrics.IN_FLIGHT.dec()
                metrics.TURN_SECONDS.observe(time.perf_counter() - began)
            metrics.TURNS.labels(metrics.outcome(replies)).inc()
            return response.json(replies)

        @blueprint.route("/live", methods=["POST"])
        async def live_poll(request: Request) -> HTTPResponse:
            try:
                require_json(request.headers.get("Content-Type"))
                poll = parse_live_poll(request.body or b"")
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            try:
                return response.json(await bridge.poll(request.app.ctx.agent, poll.sender,
                                                       poll.after, poll.typing))
            except Exception:  # noqa: BLE001  the widget tries again
                logger.exception("Live chat poll failed for %s", poll.sender)
                return response.json({"error": "The live chat could not be reached. " + CRISIS_LINE},
                                     status=500)

        @blueprint.route("/feedback", methods=["POST"])
        async def feedback(request: Request) -> HTTPResponse:
            try:
                require_json(request.headers.get("Content-Type"))
                item = parse_feedback(request.body or b"")
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            try:
                refused = abuse_limits().hit("feedback_per_client", client_of(request))
            except Exception:  # noqa: BLE001  as for messages: a store outage refuses nobody
                logger.exception("Abuse limits could not be counted; letting the feedback through")
                refused = None
            if refused is not None:
                return too_many(refused)
            if not await _answer_was_sent(request, item.sender, item.answer_id):
                return response.json({"error": "There is no such answer in this conversation."},
                                     status=404)
            record_feedback(settings.database_url, item)
            return response.empty(status=204)

        return blueprint
