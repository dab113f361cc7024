"""Nothing is lost when a part of the cluster fails (issue #14, item 2).

Each test breaks one part of a real cluster (tests/cluster/conftest.py) and
checks what a visitor sees and what is stored. No test waits a fixed time:
each waits for a condition (a turn answered, a server answering), with a
bound only so that a real failure ends the run. The tests run in file
order; the last one kills every process.
"""
from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request


from bot.cluster.cluster import RunningCluster
from bot.handoff import store
from tests.cluster.visitor import Turn, Visitor, texts
from tests.integration.helpers import stored_message_ids

CONVERSATION = ("hello", "what are the side effects", "how much does it cost",
                "how long does a session take", "is ketamine addictive", "what is esketamine")


def visitor(cluster: RunningCluster) -> Visitor:
    return Visitor(cluster.spec.https_port, cluster.spec.certificate)


def user_message_ids(cluster: RunningCluster, sender: str) -> list[str]:
    """The message ids of the visitor's messages in the conversation store, in order."""
    return stored_message_ids(cluster.database_url, sender)


def answered_again(person: Visitor, message: str, within: float = 120.0) -> Turn:
    """The visitor tries again (as someone would) until the turn is answered."""
    deadline = time.monotonic() + within
    while True:
        turn = person.say(message)
        if turn.ok or time.monotonic() > deadline:
            return turn
        time.sleep(0.5)


def assert_offline_message_with_crisis_line(turn: Turn) -> None:
    assert not turn.ok, turn.body
    text = texts(turn)
    assert all(resource in text for resource in ("911", "988", "741741")), text
    # The server answered (it did not hang), and it said something a
    # visitor can read: the widget shows it with the clinic's phone number.
    assert turn.status == 500 and turn.attempts == 1, (turn.status, turn.attempts)


def readiness(cluster: RunningCluster, replica: int) -> tuple[int, dict]:
    url = f"{cluster.stack_spec.rasa_url(replica)}/widget/ready"
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _outage(cluster: RunningCluster, server, part: str) -> None:  # noqa: ANN001
    assert readiness(cluster, 0) == (200, {"status": "ready", "problems": {}})
    person = visitor(cluster)
    before = [person.say("hello"), person.say("what are the side effects")]
    assert all(turn.ok for turn in before), [t.body for t in before]
    server.stop()
    try:
        down = person.say("how much does it cost")
        crisis = visitor(cluster).say("I want to kill myself")
        status, report = readiness(cluster, 0)
    finally:
        server.start()
    assert status == 503 and part in report["problems"], report
    assert_offline_message_with_crisis_line(down)
    assert_offline_message_with_crisis_line(crisis)
    # No restart of the assistant: the next turns are answered again ...
    recovered = answered_again(person, "how much does it cost")
    assert recovered.ok, recovered.body
    assert person.say("how long does a session take").ok
    # ... in the same conversation, with its history: every answered turn, once, in order.
    stored = user_message_ids(cluster, person.sender)
    answered = [turn.message_id for turn in person.turns if turn.ok]
    assert [i for i in stored if i in answered] == answered


def test_postgresql_restart_fails_turns_at_once_with_the_crisis_line_then_recovers(cluster) -> None:
    _outage(cluster, cluster.postgres.server, "tracker_store")


def test_redis_restart_fails_turns_at_once_with_the_crisis_line_then_recovers(cluster) -> None:
    _outage(cluster, cluster.redis, "lock_store")


def test_a_replica_killed_under_load_loses_no_conversation(cluster) -> None:
    visitors = [visitor(cluster) for _ in range(20)]
    two_turns_each = threading.Barrier(len(visitors) + 1)
    failures: list[BaseException] = []

    def converse(person: Visitor) -> None:
        try:
            for index, message in enumerate(CONVERSATION):
                person.say(message)
                if index == 1:
                    two_turns_each.wait(timeout=600)
        except BaseException as error:  # noqa: BLE001  reported below
            failures.append(error)
            two_turns_each.abort()

    threads = [threading.Thread(target=converse, args=(person,)) for person in visitors]
    for thread in threads:
        thread.start()
    # Every conversation is under way (and some turns are in flight) when the replica dies.
    two_turns_each.wait(timeout=600)
    victim = cluster.replica(0)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    for thread in threads:
        thread.join(timeout=900)
    assert not failures, failures
    for person in visitors:
        # Every turn was answered, some after the widget's retries ...
        assert [turn.status for turn in person.turns] == [200] * len(CONVERSATION), \
            [(t.message, t.status, t.body) for t in person.turns]
        # ... and each was processed exactly once, in order: nothing lost, nothing twice.
        assert user_message_ids(cluster, person.sender) == [turn.message_id for turn in person.turns]
    # The retries did happen: this test killed a replica with turns in flight.
    print(f"turns retried: {sum(t.attempts > 1 for p in visitors for t in p.turns)}")


def test_a_confirmed_callback_request_survives_killing_every_process(cluster) -> None:
    person = visitor(cluster)
    for message in ("can i talk to a real person please", "Maria", "(202) 555-0182", "after 3pm on weekdays"):
        turn = person.say(message)
        assert turn.ok, turn.body
    confirmation = person.say("yes")
    assert confirmation.ok, confirmation.body
    reference = re.search(r"reference ([A-Z0-9]{6})", texts(confirmation)).group(1)
    # Every process at once, as a power cut would: no clean shutdown anywhere.
    for process in [*cluster.stack.processes.values(), *cluster.restarted]:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
    # With no replica left, nginx answers by itself, and still with the crisis line.
    alone = Visitor(cluster.spec.https_port, cluster.spec.certificate, max_attempts=1)
    offline = alone.say("I want to kill myself")
    assert offline.status == 503 and isinstance(offline.body, dict), (offline.status, offline.body)
    assert all(resource in texts(offline) for resource in ("911", "988", "741741", "AYUDA")), offline.body
    for server in (cluster.nginx, cluster.redis, cluster.postgres.server):
        server.kill()
    cluster.postgres.server.start()  # replays its write-ahead log
    try:
        saved = store.get(cluster.database_url, reference)
        assert (saved.first_name, saved.contact, saved.preferred_time) == \
            ("Maria", "+12025550182", "after 3pm on weekdays")
    finally:
        cluster.postgres.server.stop()


TEXT_LOG_LINE = re.compile(r"^\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\S*\]? +(\[\d+\] +)?\[?(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b")


def test_every_service_logs_json_with_contact_details_masked(cluster) -> None:
    """The cluster's processes log one JSON object a line (LOG_FORMAT=json,
    bot/log_format.py), the replicas' exceptions from the outages above
    included, and the callback's phone number is in no log."""
    logs = cluster.spec.folder / "logs"
    records: dict[str, list[dict]] = {}
    for name in ("rasa-1", "rasa-2", "actions", "staff"):
        text = (logs / f"{name}.log").read_text(errors="replace")
        assert "555-0182" not in text and "5550182" not in text, name
        lines = text.splitlines()
        assert not [line for line in lines if TEXT_LOG_LINE.match(line)], f"{name} logged plain text"
        records[name] = [json.loads(line) for line in lines if line.startswith('{"time"')]
        assert records[name], f"{name} logged no JSON record"
        assert {r["service"] for r in records[name]} == {name}
        assert all({"time", "level", "logger", "message", "pid"} <= r.keys() for r in records[name])
    replica_errors = [r for name in ("rasa-1", "rasa-2") for r in records[name] if r["level"] == "ERROR"]
    assert any("Traceback" in r.get("exception", "") for r in replica_errors), \
        "the outages' turn errors are logged with their tracebacks, inside the JSON record"
