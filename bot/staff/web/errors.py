"""Error pages in plain words (and JSON for the console's API)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template
from flask_wtf.csrf import CSRFError

from bot.staff.web.common import wants_json

MESSAGES = {
    400: "This form has expired or was not sent from the console. Go back, reload the page "
         "and try again.",
    401: "Sign in first.",
    403: "Your role does not allow this. Ask an admin if you need it.",
    404: "There is nothing at this address.",
    413: "That is too much text to send at once.",
}


def _page(status: int, message: str):
    if wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return _page(400, MESSAGES[400])

    for status in (400, 403, 404, 413):
        app.register_error_handler(status, lambda _e, s=status: _page(s, MESSAGES[s]))
