"""A turn the widget sends again (same message id, `retry: true`) is processed once.

bot/web/dedup.py; the cluster test (tests/cluster/) shows the same when a
replica dies mid-turn.
"""
from __future__ import annotations

import uuid

from tests.integration.helpers import new_sender, post, stored_message_ids


def _turn(stack, sender: str, message: str, message_id: str, retry: bool) -> list[dict]:
    status, replies = post(stack.webhook, {"sender": sender, "message": message,
                                           "message_id": message_id, "retry": retry})
    assert status == 200, replies
    return replies


def _message_ids(stack, sender: str) -> list[str]:
    return stored_message_ids(f"sqlite:///{stack.workdir / 'tracker.db'}", sender)


def test_a_retry_of_a_processed_turn_gets_the_same_replies_and_is_not_processed_again(stack) -> None:
    sender, first, second = new_sender(), f"m-{uuid.uuid4().hex}", f"m-{uuid.uuid4().hex}"
    replies = _turn(stack, sender, "what are the side effects", first, retry=False)
    assert len(replies) >= 2, "the disclaimer, then the answer"
    again = _turn(stack, sender, "what are the side effects", first, retry=True)
    assert again == replies
    _turn(stack, sender, "how much does it cost", second, retry=False)
    # Retrying an older turn still replays that turn's replies, not the latest.
    assert _turn(stack, sender, "what are the side effects", first, retry=True) == replies
    assert _message_ids(stack, sender) == [first, second]


def test_a_retry_of_a_turn_never_processed_is_processed(stack) -> None:
    sender, message_id = new_sender(), f"m-{uuid.uuid4().hex}"
    replies = _turn(stack, sender, "what are the side effects", message_id, retry=True)
    assert any((r.get("custom") or {}).get("kind") == "answer" for r in replies)
    assert _message_ids(stack, sender) == [message_id]


def test_a_retry_without_its_message_id_is_refused(stack) -> None:
    status, body = post(stack.webhook, {"sender": new_sender(), "message": "hi", "retry": True})
    assert status == 400 and "message_id" in body["error"]
