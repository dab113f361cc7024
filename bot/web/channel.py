"""The widget's channel: Rasa's REST protocol, checked input, and the files.

Loaded by Rasa from credentials.yml. It serves, under /widget/:
  GET  /widget/            the fictional clinic's demo page with the widget
  GET  /widget/static/...  the built widget (build/web, made by `npm run build`)
  POST /widget/webhook     {"sender", "message"} -> [{"text", "buttons", "custom"}]
  POST /widget/feedback    {"sender", "answer_id", "helpful"} -> 204
  GET  /widget/health
REST rather than socket.io: each turn is one stateless request, so any Rasa
replica behind a load balancer can answer it (see README, "Transport").
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.web import pages
from bot.web.feedback import record_feedback
from bot.web.requests import BadRequest, parse_chat, parse_feedback
from bot.settings import get_settings

logger = logging.getLogger(__name__)
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json",
                ".svg": "image/svg+xml", ".png": "image/png"}


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

        @blueprint.route("/health", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

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
                chat = parse_chat(request.body or b"")
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            collector = WholeMessageCollector()
            try:
                await on_new_message(
                    UserMessage(chat.message, collector, chat.sender, input_channel=self.name())
                )
            except Exception:  # noqa: BLE001  the visitor gets a clear message, staff get the log
                logger.exception("Could not handle a message from %s", chat.sender)
                return response.json(
                    {"error": "Something went wrong on our side. Please try again, or call the clinic."},
                    status=500,
                )
            return response.json(collector.messages)

        @blueprint.route("/feedback", methods=["POST"])
        async def feedback(request: Request) -> HTTPResponse:
            try:
                item = parse_feedback(request.body or b"")
                record_feedback(settings.database_url, item)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            return response.empty(status=204)

        return blueprint
