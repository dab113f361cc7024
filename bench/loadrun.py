"""Runs bench.load against a started stack while watching its memory (and,
when asked, profiling its Rasa server with py-spy)."""
from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from bench.memory import PeakSampler
from bench.stacks import Started
from bench.stats import latency_summary_ms, percentile
from bot.settings import get_settings
from bot.stack import rasa_env


@contextlib.contextmanager
def _py_spy(pid: int, output: Optional[Path], seconds: int) -> Iterator[None]:
    """py-spy record of the Rasa server and its workers during the load."""
    binary = shutil.which("py-spy") or (str(_venv_py_spy()) if _venv_py_spy().exists() else None)
    if output is None or binary is None:
        yield
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    # --nonblocking: sample without pausing the server, so the profile costs
    # the measured server as little as possible.
    process = subprocess.Popen([binary, "record", "--pid", str(pid), "--subprocesses", "--nonblocking",
                                "--rate", "50", "--duration", str(seconds), "-o", str(output)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        try:
            process.wait(timeout=seconds + 30)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait()


def _venv_py_spy() -> Path:
    return Path(sys.executable).parent / "py-spy"


def summarise(rounds: List[dict]) -> dict:
    """Latency, throughput, errors and memory over all load rounds of one side."""
    samples = [sample for r in rounds for sample in r["samples"]]
    duration = sum(r["duration_s"] for r in rounds)
    all_ms = [ms for _, ms, _ in samples]
    errors = Counter(error for _, _, error in samples if error)
    by_step: Dict[str, list] = defaultdict(list)
    for step, ms, _ in samples:
        by_step[step].append(ms)
    peaks: Dict[str, float] = {}
    for r in rounds:
        for name, mb in r["rss_peak_mb"].items():
            peaks[name] = max(peaks.get(name, 0.0), mb)
    return {
        **latency_summary_ms(all_ms),
        "messages_per_s": round(sum(r["in_time"] for r in rounds) / duration, 2) if duration else None,
        "answered": len(samples) - sum(errors.values()),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)),
        "duration_s": round(duration, 1),
        "rounds": len(rounds),
        "users": rounds[0]["users"] if rounds else None,
        "p50_by_step_ms": {step: round(percentile(v, 50), 1) for step, v in sorted(by_step.items())},
        "rss_peak_mb": {name: round(mb) for name, mb in peaks.items()},
    }


def run_load(started: Started, users: int, duration: int, round_index: int = 0,
             profile: Optional[Path] = None, resume: Optional[dict] = None) -> dict:
    """One round of load: raw samples, its duration, the peak memory seen and
    where each visitor's conversation stands (`positions`, for the next round)."""
    label = re.sub(r"[^A-Za-z0-9_-]", "-", started.target.label)
    config = started.workdir / f"load-{label}-{round_index}.json"
    result = started.workdir / f"load-{label}-{round_index}-result.json"
    config.write_text(json.dumps({"target": started.target.to_dict(), "users": users, "duration": duration,
                                  "resume": resume or {}}))
    pids = {"rasa": started.rasa_pid}
    if started.action_pid:
        pids["actions"] = started.action_pid
    with PeakSampler(pids) as memory, _py_spy(started.rasa_pid, profile, duration), \
            open(started.workdir / "locust.log", "ab") as log:
        subprocess.run([sys.executable, "-m", "bench.load", str(config), str(result)],
                       cwd=get_settings().root, env=rasa_env(), check=True, stdout=log, stderr=subprocess.STDOUT)
    raw = json.loads(result.read_text())
    raw["rss_peak_mb"] = dict(memory.peak)
    return raw
