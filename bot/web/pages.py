"""The demo page and the HTTP headers every widget file is served with."""
from __future__ import annotations

import html
from pathlib import Path

from sanic import response
from sanic.response import HTTPResponse

from bot.clinic import load_clinic
from bot.http_security import CONTENT_SECURITY_POLICY
from bot.settings import Settings

TEMPLATE = Path(__file__).with_name("demo.html")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def demo_page(settings: Settings) -> str:
    clinic = load_clinic(settings.clinic_file)
    values = {k: html.escape(str(v), quote=True) for k, v in clinic.items()}
    return TEMPLATE.read_text(encoding="utf-8").format(**values)


def html_response(body: str) -> HTTPResponse:
    return response.html(body, headers=SECURITY_HEADERS)


def file_response(path: Path, content_type: str) -> HTTPResponse:
    return response.raw(path.read_bytes(), content_type=content_type,
                        headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})
