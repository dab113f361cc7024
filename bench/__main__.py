"""`python -m bench [--smoke] [--users 20] [--duration 60]`

Measures our assistant (as shipped and with the proposed changes) and the
stock `rasa init` assistant in the same run, alternating between them in
rounds (bench/rounds.py), prints one table (ours, stock, ours/stock) and
writes it to reports/bench/bench.{json,md}. Exits non-zero only when
something is broken (a server fails, or any turn errors), never because of
speed: this is a benchmark, not a timed test.

--smoke is what CI runs: ours as shipped and stock, 3 visitors for 10 s
each, 15 single-visitor turns, one round, and no training just to measure
training time. The stock model comes from the cache under build/bench/ when
there is one; otherwise a 1-epoch "light" stock model is trained (under a
minute), which proves the whole path but is labelled and never cached as the
baseline (see bench/stock.py).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Dict, List

# Importing the project pulls in TensorFlow; keep its start-up chatter out of the table.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench import machine, report, rounds
from bench.variants import DEFAULT_VARIANTS, LEVERS, PRESETS, parse_variant
from bot.settings import get_settings

REPORTS = get_settings().root / "reports" / "bench"
SMOKE_VARIANT = "shipped"  # CI proves the project as shipped; one stack of ours keeps it short


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--smoke", action="store_true", help="short run for CI: proves the path, not the speed")
    parser.add_argument("--users", type=int, default=None, help="concurrent visitors (default 20; smoke 3)")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per stack (default 60; smoke 10)")
    parser.add_argument("--turns", type=int, default=None, help="single-visitor turns (default 100; smoke 15)")
    parser.add_argument("--variants", default=None,
                        help="configurations of ours, comma-separated: presets "
                             f"({', '.join(f'{k}={v or chr(45)}' for k, v in PRESETS.items())}) "
                             f"or levers joined by '+' ({', '.join(LEVERS)}); "
                             f"default {','.join(DEFAULT_VARIANTS)} (smoke: {SMOKE_VARIANT})")
    parser.add_argument("--measure-training", action="store_true",
                        help="train our model cold once more to time it (minutes) even if an older record exists")
    parser.add_argument("--no-stock", action="store_true", help="measure ours only (for trying levers: no ratios)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="alternate the stacks this many times per measurement (default 4; smoke 1)")
    parser.add_argument("--profile", action="store_true",
                        help="py-spy record each Rasa server under load to reports/bench/profile-<name>.svg")
    parser.add_argument("--out", type=Path, default=REPORTS, help="where bench.json and bench.md go")
    args = parser.parse_args(argv)
    args.users = args.users or (3 if args.smoke else 20)
    args.duration = args.duration or (10 if args.smoke else 60)
    args.turns = args.turns or (15 if args.smoke else 100)
    args.rounds = max(1, args.rounds or (1 if args.smoke else 4))
    args.variants = args.variants or (SMOKE_VARIANT if args.smoke else ",".join(DEFAULT_VARIANTS))
    try:
        args.variants = [parse_variant(v.strip()) for v in args.variants.split(",") if v.strip()]
    except ValueError as error:
        parser.error(str(error))
    return args


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def keep_logs(workdir: Path, target: Path) -> None:
    """Server and load-generator logs of one stack, kept after the scratch folder goes."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copy2(log, target / log.name)


def broken(results: Dict[str, dict]) -> List[str]:
    problems = []
    for name, side in results.items():
        for part in ("single", "parse", "load"):
            errors = side.get(part, {}).get("errors", 0)
            if errors:
                problems.append(f"{name}: {errors} errors in {part} {side[part].get('error_kinds', '')}")
    return problems


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    began = time.monotonic()
    names = [v.name for v in args.variants]
    document: dict = {"started_at": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine.describe(),
                      "settings": {**{k: v for k, v in vars(args).items() if k not in ("variants", "out")},
                                   "variants": {v.name: v.describe() for v in args.variants}}}
    results: Dict[str, dict] = {}
    run = rounds.Run()
    failure = ""
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch, contextlib.ExitStack() as cleanup:
        try:
            sides = rounds.start_all(args, Path(scratch), cleanup, run, say,
                                     lambda workdir, name: keep_logs(workdir, args.out / "logs" / name))
            results = rounds.measure_all(args, sides, say)
            for name in results:
                source = run.baseline.training_s if name == "stock" and run.baseline else (
                    run.ours_training and run.ours_training["training_s"])
                results[name]["training_s"] = source
        except Exception:  # noqa: BLE001  a failed server is a broken benchmark: report what was measured, exit 1
            traceback.print_exc()
            failure = f"a server failed ({traceback.format_exc().strip().splitlines()[-1]}); logs in {args.out / 'logs'}"
            say(f"The benchmark is broken: {failure}.")
    baseline, stock_trained_now, ours_training = run.baseline, run.stock_trained_now, run.ours_training
    if not results:
        return 1

    names = [name for name in names if name in results]
    header, rows = report.table_rows(results, names)
    stock_results = results.get("stock", {})
    checks = {name: report.targets(results[name], stock_results) for name in names}
    notes = [
        f"Machine: {document['machine']['cpu']}, {document['machine']['cores']} cores, "
        f"{document['machine']['memory_gib']} GiB; load average at start "
        f"{document['machine']['load_average_at_start']}, at end "
        f"{[round(x, 2) for x in os.getloadavg()]}.",
        f"Load: {args.users} concurrent visitors, {args.duration} s per stack, no think time; "
        f"single visitor: {args.turns} turns; stacks alternated in {args.rounds} round(s).",
        *[f"ours ({v.name}): {v.describe()}." for v in args.variants],
        (f"Stock training: {baseline.training_s} s on {baseline.trained_on}"
         f"{' (this run)' if stock_trained_now else ' (cached)'}"
         f"{'; LIGHT 1-epoch smoke model, not the baseline' if baseline.light else ''}."
         if baseline else "Stock: not measured (--no-stock)."),
        f"Our training: {ours_training['how'] + ', ' + ours_training['trained_on'] if ours_training else 'not measured'}.",
        "Targets:",
        *[report.targets_text(name, checks[name]) for name in names],
    ]
    document.update(results=results, table={"header": header, "rows": rows}, targets=checks, notes=notes,
                    stock_model=baseline and {"training_s": baseline.training_s, "trained_on": baseline.trained_on,
                                              "light": baseline.light, "trained_this_run": stock_trained_now},
                    ours_training=ours_training, wall_s=round(time.monotonic() - began, 1))
    report.write(args.out, document, header, rows, notes)
    print(report.text_table(header, rows))
    print("\n".join(notes))
    print(f"Written to {args.out / 'bench.md'} and bench.json; {document['wall_s']} s in all.")
    problems = broken(results) + ([failure] if failure else [])
    for problem in problems:
        say(f"BROKEN: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
