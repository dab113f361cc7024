"""The measurement plan: every stack up at once, measured in alternating rounds.

Other work on the machine comes and goes within minutes, so measuring ours
for a minute and then stock for a minute would give each a different
machine. Instead all stacks are started one after the other (start-up is
timed alone), stay up (an idle server costs nothing), and every measurement
is split into rounds that visit the stacks in turn, starting with a
different stack each round. Each stack's figures are pooled over its rounds,
so a busy spell hits all of them alike and the ratios hold.
"""
from __future__ import annotations

import argparse
import contextlib
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bench import probes, stock, training
from bench.loadrun import run_load, summarise
from bench.memory import rss_mb
from bench.stacks import Started, start_ours, start_stock
from bench.stats import latency_summary_ms

WARM_UP_TURNS = 5  # the first turns build TensorFlow graphs; not part of any figure
SEEDS_PER_SEQUENTIAL_ROUND = 1_000


@dataclass
class Side:
    name: str
    started: Started
    profile_name: str
    single_s: List[float] = field(default_factory=list)
    parse_s: List[float] = field(default_factory=list)
    errors: Dict[str, int] = field(default_factory=lambda: {"single": 0, "parse": 0})
    load_rounds: List[dict] = field(default_factory=list)


@dataclass
class Run:
    """What the report needs to know about how the run went."""
    baseline: Optional[stock.StockModel] = None
    stock_trained_now: bool = False
    ours_training: Optional[dict] = None


def _rotated(sides: List[Side], round_index: int) -> List[Side]:
    shift = round_index % len(sides)
    return sides[shift:] + sides[:shift]


def _split(total: int, rounds: int) -> List[int]:
    return [total // rounds + (1 if i < total % rounds else 0) for i in range(rounds)]


def _started_figures(side: Side) -> dict:
    started = side.started
    ready = {"rasa": round(rss_mb(started.rasa_pid))}
    if started.action_pid:
        ready["actions"] = round(rss_mb(started.action_pid))
    return {
        "model_load_s": round(started.model_load_s, 1),
        "startup_s": round(started.startup_s, 1),
        "first_turn_ms": round(started.first_turn_s * 1000, 1),
        "rss_ready_mb": ready,  # after start-up and one turn, before any load
    }


def _prepare_stock(args: argparse.Namespace, workdir: Path, cleanup: contextlib.ExitStack):
    """The stock model; in a smoke run also its stack, started while ours starts.

    Smoke overlaps the stock side's training (of the light model, on a fresh
    machine) and start-up with ours, to keep CI short; its start-up figures
    are not for reading. A full run does each alone.
    """
    baseline, trained_now = stock.prepare(args.smoke)
    started = cleanup.enter_context(start_stock(baseline.project, baseline.model, workdir)) if args.smoke else None
    return baseline, trained_now, started


def start_all(args: argparse.Namespace, scratch: Path, cleanup: contextlib.ExitStack, run: Run,
              say: Callable[[str], None], keep_logs: Callable[[Path, str], None]) -> List[Side]:
    say("Preparing our model" + ("" if args.no_stock else " and the stock baseline") + " ...")
    model = training.ensure_timed_model()
    run.ours_training = training.training_time(model, measure=not (args.smoke or args.no_stock),
                                               force=args.measure_training)
    pool = cleanup.enter_context(ThreadPoolExecutor(max_workers=1))
    pending: Optional[Future] = None
    if not args.no_stock:
        cleanup.callback(keep_logs, scratch / "stock", "stock")
        pending = pool.submit(_prepare_stock, args, scratch / "stock", cleanup)
        if not args.smoke:
            pending.result()  # the baseline trains alone, so its training time is a clean one
    sides = []
    try:
        for index, variant in enumerate(args.variants):
            say(f"Starting ours ({variant.name}: {variant.describe()}) ...")
            workdir = scratch / f"ours-{index}"
            cleanup.callback(keep_logs, workdir, f"ours-{index}")
            started = cleanup.enter_context(start_ours(model, workdir, variant, variant.name))
            sides.append(Side(variant.name, started, f"ours-{index}"))
    finally:
        if pending is not None:
            wait([pending])  # an early stock stack must be registered before `cleanup` unwinds
    if pending is not None:
        run.baseline, run.stock_trained_now, early = pending.result()
        if early is None:
            say("Starting stock ...")
            early = cleanup.enter_context(start_stock(run.baseline.project, run.baseline.model, scratch / "stock"))
        sides.append(Side("stock", early, "stock"))
    return sides


def measure_all(args: argparse.Namespace, sides: List[Side], say: Callable[[str], None]) -> Dict[str, dict]:
    figures = {side.name: _started_figures(side) for side in sides}
    for side in sides:
        probes.single_visitor(side.started, WARM_UP_TURNS, first_seed=0)
    say(f"Single visitor: {args.turns} turns per stack, in {args.rounds} round(s) ...")
    for round_index, turns in enumerate(_split(args.turns, args.rounds)):
        for side in _rotated(sides, round_index):
            single = probes.single_visitor(side.started, turns,
                                           probes.SEQUENTIAL_SEED + round_index * SEEDS_PER_SEQUENTIAL_ROUND)
            parse = probes.parse_floor(side.started, single.messages)
            side.single_s += single.latencies_s
            side.parse_s += parse.latencies_s
            side.errors["single"] += len(single.errors)
            side.errors["parse"] += len(parse.errors)
    say(f"Load: {args.users} visitors, {args.duration} s per stack, in {args.rounds} round(s) ...")
    for round_index, seconds in enumerate(_split(args.duration, args.rounds)):
        for side in _rotated(sides, round_index):
            # One profile per stack, from its second round (the first may still warm up).
            profile = (args.out / f"profile-{side.profile_name}.svg"
                       if args.profile and round_index == min(1, args.rounds - 1) else None)
            resume = side.load_rounds[-1]["positions"] if side.load_rounds else None
            side.load_rounds.append(run_load(side.started, args.users, seconds, round_index, profile, resume))
    for side in sides:
        figures[side.name].update(
            single={**latency_summary_ms([s * 1000 for s in side.single_s]), "errors": side.errors["single"]},
            parse={**latency_summary_ms([s * 1000 for s in side.parse_s]), "errors": side.errors["parse"]},
            load=summarise(side.load_rounds),
        )
        if side.started.content_dir is not None:
            say(f"[{side.name}] content-only change ...")
            figures[side.name]["content_change_s"] = round(probes.content_change(side.started), 2)
    return figures
