"""bot/abuse_limits.py without a server: windows, overrides, client keys."""
from __future__ import annotations

from bot.abuse_limits import AbuseLimits, client_key


def test_a_limit_refuses_once_used_up_and_says_when_to_retry() -> None:
    limits = AbuseLimits.from_env({"RATE_LIMIT_CALLBACKS_PER_CLIENT": "2/hour"})
    assert limits.hit("callbacks_per_client", "a") is None
    assert limits.hit("callbacks_per_client", "a") is None
    refused = limits.hit("callbacks_per_client", "a")
    assert refused is not None and refused.limit == "callbacks_per_client"
    assert 3500 <= refused.retry_after <= 3601
    assert limits.hit("callbacks_per_client", "b") is None, "another client has its own window"


def test_the_defaults_are_what_the_docs_say() -> None:
    limits = AbuseLimits.from_env({})
    assert str(limits.items["messages_per_conversation"]) == "20 per 1 minute"
    assert str(limits.items["conversations_per_client"]) == "30 per 1 hour"


def test_off_means_off() -> None:
    limits = AbuseLimits.from_env({"RATE_LIMITS": "off", "RATE_LIMIT_FEEDBACK_PER_CLIENT": "1/hour"})
    assert all(limits.hit("feedback_per_client", "a") is None for _ in range(5))


def test_a_conversation_is_new_only_the_first_time() -> None:
    limits = AbuseLimits.from_env({})
    assert limits.first_sight("visitor-0001") is True
    assert limits.first_sight("visitor-0001") is False
    assert limits.first_sight("visitor-0002") is True


def test_client_keys_are_stable_per_secret_and_reveal_nothing() -> None:
    assert client_key("203.0.113.7", "s1") == client_key("203.0.113.7", "s1")
    assert client_key("203.0.113.7", "s1") != client_key("203.0.113.7", "s2")
    assert "203.0.113.7" not in client_key("203.0.113.7", "s1")
