"""Shared by the staff console tests: signing in, CSRF tokens, rows as the assistant writes them."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from bot.handoff import store
from bot.settings import Settings, get_settings
from bot.staff import accounts
from bot.content.edits import ContentPaths

ROOT = get_settings().root
PASSWORD = "a long enough test passphrase"
TOKEN_PATTERN = re.compile(r'name="csrf(?:_token|-token)" (?:value|content)="([^"]+)"')


@dataclass
class Console:
    app: Flask
    settings: Settings
    paths: ContentPaths
    tracker_db_url: str

    @property
    def database_url(self) -> str:
        return self.settings.database_url

    def add_user(self, email: str, *roles: str, title: str = "") -> accounts.StaffMember:
        return accounts.add_user(self.database_url, email, title or f"{email.split('@')[0]} ({', '.join(roles)})",
                                 list(roles), PASSWORD)

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def signed_in(self, email: str, *roles: str) -> FlaskClient:
        """A client signed in as a new account with these roles."""
        self.add_user(email, *roles)
        client = self.client()
        response = sign_in(client, email, PASSWORD)
        assert response.status_code == 302, response.text
        return client


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path, follow_redirects=True)
    match = TOKEN_PATTERN.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client)})



EVENTS_TABLE = """CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def add_events(tracker_db_url: str, events: list[dict]) -> None:
    """events: {"type": "user"|"bot", "text", "intent"?, "answer_id"?, "age_days"?}"""
    engine = create_engine(tracker_db_url, future=True)
    with engine.begin() as connection:
        connection.execute(text(EVENTS_TABLE))
        for event in events:
            stamp = time.time() - event.get("age_days", 0) * 86400
            if event["type"] == "user":
                data = {"event": "user", "timestamp": stamp, "text": event["text"],
                        "parse_data": {"intent": {"name": event.get("intent", "nlu_fallback")}}}
                if event.get("safety"):
                    data["parse_data"]["safety"] = event["safety"]
            else:
                custom = {"kind": "answer", "answer_id": event["answer_id"]} if event.get("answer_id") else None
                data = {"event": "bot", "timestamp": stamp, "text": event["text"],
                        "data": {"custom": custom}}
            connection.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, intent_name, data) "
                     "VALUES (:sender, :type, :ts, :intent, :data)"),
                {"sender": event.get("sender", "visitor-1"), "type": event["type"], "ts": stamp,
                 "intent": event.get("intent", "nlu_fallback") if event["type"] == "user" else None,
                 "data": json.dumps(data)})
    engine.dispose()


def count_events(tracker_db_url: str) -> int:
    engine = create_engine(tracker_db_url, future=True)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
    engine.dispose()
    return count


def callback(database_url: str, urgent: bool = False, name: str = "Dana",
             contact: str = "(555) 555-0199", preferred_time: str = "mornings") -> str:
    return store.save_callback(database_url, store.CallbackRequest(
        conversation_id="visitor-1", first_name=name, contact=contact, contact_kind="phone",
        preferred_time=preferred_time, consent=True, reason="crisis" if urgent else "asked for staff",
        urgent=urgent, transcript=[{"who": "visitor", "text": "please call me at [phone]", "at": ""},
                                   {"who": "assistant", "text": "Staff will call you back.", "at": ""}]))
