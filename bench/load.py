"""`python -m bench.load CONFIG.json RESULT.json`: one headless Locust run.

A separate process because Locust monkey-patches the standard library with
gevent on import; the orchestrating process keeps ordinary threads and
subprocesses. Each simulated visitor runs conversations back to back with no
think time (a closed loop), which is how the issue's stock figures (about 13
messages/s at 20 visitors) were measured: the load is as high as the server
can take, so throughput is the server's capacity.
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

SEEDS_PER_VISITOR = 100_000  # in round r, visitor k's n-th conversation has seed
SEEDS_PER_ROUND = 10_000_000  # r*10_000_000 + k*100_000 + n: the same on every side


class Visitor(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0
    target: Target
    first_seed = 0
    numbers = itertools.count()

    def on_start(self) -> None:
        self.visitor_number = next(Visitor.numbers)
        self.conversations = itertools.count()

    @task
    def hold_a_conversation(self) -> None:
        seed = self.first_seed + self.visitor_number * SEEDS_PER_VISITOR + next(self.conversations)
        sender = sender_id(self.target.label, seed)
        for turn in conversation(seed):
            with self.client.post(self.target.webhook_path, json={"sender": sender, "message": turn.message},
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


def run(config: dict) -> dict:
    target = Target(**config["target"])
    user_class = type("TargetVisitor", (Visitor,), {"target": target, "host": target.base_url, "abstract": False,
                                                     "first_seed": config.get("round", 0) * SEEDS_PER_ROUND})
    samples: list[tuple[str, float, str]] = []

    def record(request_type, name, response_time, response_length, exception=None, **_):
        samples.append((name, response_time, str(exception) if exception else ""))

    environment = Environment(user_classes=[user_class], events=events, host=target.base_url)
    environment.events.request.add_listener(record)
    runner = environment.create_local_runner()
    users, duration = config["users"], config["duration"]
    started = time.monotonic()
    runner.start(users, spawn_rate=max(users, 1) * 4)
    gevent.sleep(duration)
    elapsed = time.monotonic() - started
    done = list(samples)  # requests cut off by the stop below are not counted
    runner.quit()
    return {
        "users": users,
        "duration_s": round(elapsed, 2),
        "samples": done,
    }


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[1]).read_text())
    Path(argv[2]).write_text(json.dumps(run(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
