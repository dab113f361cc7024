"""`python -m bench.load CONFIG.json RESULT.json`: one headless Locust round.

A separate process because Locust monkey-patches the standard library with
gevent on import; the orchestrating process keeps ordinary threads and
subprocesses. Each simulated visitor runs conversations back to back with no
think time (a closed loop), which is how the issue's stock figures (about 13
messages/s at 20 visitors) were measured: the load is as high as the server
can take, so throughput is the server's capacity.

Rounds are short (bench/rounds.py alternates the stacks), so a visitor does
not start over each round: it resumes its conversation where the previous
round left it (same conversation id, next turn). Otherwise a slow stack would
rarely reach the callback form at the end of a conversation, and would be
measured on an easier mix of turns. At the deadline visitors finish the turn
in flight; those late turns count for latency (they are real turns) but not
for throughput, which is the turns completed within the round's duration.
"""
from __future__ import annotations

import itertools
import json
import sys
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment

from bench.scenario import conversation, sender_id
from bench.targets import Target, reply_problem

SEEDS_PER_VISITOR = 100_000  # visitor k's n-th conversation has seed k*100000+n, on every stack
STOP_TIMEOUT_S = 60  # enough for the slowest turn in flight to finish


class Visitor(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0
    target: Target
    resume: dict = {}  # visitor number -> {"n", "turn", "sender"} from the previous round
    positions: dict = {}  # the same, where this round leaves each visitor
    numbers = itertools.count()

    def on_start(self) -> None:
        self.number = next(Visitor.numbers)
        position = self.resume.get(str(self.number)) or {"n": 0, "turn": 0, "sender": ""}
        self.n, self.turn, self.sender = position["n"], position["turn"], position["sender"]
        self._load_conversation()

    def _load_conversation(self) -> None:
        seed = self.number * SEEDS_PER_VISITOR + self.n
        self.turns = conversation(seed)
        self.sender = self.sender or sender_id(self.target.label, seed)

    @task
    def say_next(self) -> None:
        """One turn per task, so a stop lets the turn in flight finish."""
        turn = self.turns[self.turn]
        with self.client.post(self.target.webhook_path, json={"sender": self.sender, "message": turn.message},
                              name=turn.step, catch_response=True) as reply:
            try:
                body = reply.json()
            except Exception:  # noqa: BLE001  any undecodable body is an error
                body = None
            problem = reply_problem(self.target.kind, reply.status_code, body)
            if problem:
                reply.failure(problem)
            else:
                reply.success()
        self.turn += 1
        if self.turn == len(self.turns):
            self.n, self.turn, self.sender = self.n + 1, 0, ""
            self._load_conversation()
        self.positions[str(self.number)] = {"n": self.n, "turn": self.turn, "sender": self.sender}


def run(config: dict) -> dict:
    target = Target(**config["target"])
    user_class = type("TargetVisitor", (Visitor,), {
        "target": target, "host": target.base_url, "abstract": False,
        "resume": config.get("resume") or {}, "positions": {},
    })
    samples: list[tuple[str, float, str, bool]] = []
    users, duration = config["users"], config["duration"]
    deadline = [float("inf")]

    def record(request_type, name, response_time, response_length, exception=None, **_):
        samples.append((name, response_time, str(exception) if exception else "", time.monotonic() <= deadline[0]))

    environment = Environment(user_classes=[user_class], events=events, host=target.base_url,
                              stop_timeout=STOP_TIMEOUT_S)
    environment.events.request.add_listener(record)
    runner = environment.create_local_runner()
    started = time.monotonic()
    deadline[0] = started + duration
    runner.start(users, spawn_rate=max(users, 1) * 4)
    gevent.sleep(duration)
    runner.quit()  # graceful: each visitor finishes its turn in flight
    return {
        "users": users,
        "duration_s": round(duration, 2),
        "samples": [s[:3] for s in samples],
        "in_time": sum(1 for s in samples if s[3]),
        "positions": user_class.positions,
    }


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[1]).read_text())
    Path(argv[2]).write_text(json.dumps(run(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
