"""Property-based fuzzing of the public widget endpoints (issue #11).

Malformed JSON, wrong types, huge and odd Unicode (control characters,
right-to-left overrides, emoji, lone combining marks), replayed ids: never a
5xx, never a stack trace, always a JSON answer, and a conversation that was
going on before keeps every turn it was sent.
"""
from __future__ import annotations

import json
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.helpers import new_sender, post, say

FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

odd_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12)
valid_sender = st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True)
senders = valid_sender | odd_text | json_values
chat_bodies = st.fixed_dictionaries({"sender": senders, "message": odd_text | json_values})
feedback_bodies = st.fixed_dictionaries(
    {"sender": senders, "answer_id": odd_text | json_values, "helpful": json_values})
raw_bodies = st.binary(max_size=600) | json_values.map(json.dumps)


def _check(status: int, reply) -> None:  # noqa: ANN001
    assert status < 500, reply
    if status >= 400:
        assert isinstance(reply, dict) and isinstance(reply.get("error"), str), reply
        assert "Traceback" not in reply["error"]


def _user_turns(stack, sender: str) -> int:  # noqa: ANN001
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                          (sender,)).fetchone()[0]


@FUZZ
@given(body=chat_bodies | raw_bodies)
def test_the_chat_endpoint_answers_anything_with_json_and_no_5xx(stack, body) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body, allow_nan=True).encode()
    status, reply = post(stack.webhook, data)
    _check(status, reply)
    if status == 200:
        assert isinstance(reply, list) and reply


@FUZZ
@given(body=feedback_bodies | raw_bodies)
def test_the_feedback_endpoint_answers_anything_with_json_and_no_5xx(stack, body) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body, allow_nan=True).encode()
    status, reply = post(f"{stack.base_url}/widget/feedback", data)
    _check(status, reply)


def test_a_conversation_survives_odd_and_replayed_messages(stack) -> None:
    sender = new_sender()
    say(stack, sender, "hi")
    sent = 1

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(message=odd_text, replays=st.integers(1, 3))
    def send(message: str, replays: int) -> None:
        nonlocal sent
        for _ in range(replays):  # the same request again, as a flaky network resends it
            status, reply = post(stack.webhook, {"sender": sender, "message": message})
            _check(status, reply)
            sent += status == 200

    send()
    replies = say(stack, sender, "what are the side effects?")
    sent += 1
    assert replies
    assert _user_turns(stack, sender) == sent, "every accepted message is in the conversation"
