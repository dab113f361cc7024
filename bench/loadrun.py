"""Runs bench.load against a started stack while watching its memory (and,
when asked, profiling its Rasa server with py-spy)."""
from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, Iterator, Optional

from bench.memory import PeakSampler, rss_mb
from bench.stacks import Started
from bench.stats import latency_summary_ms, percentile
from bot.settings import get_settings
from bot.train import rasa_env


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


def _summarise(raw: dict) -> dict:
    samples = raw["samples"]
    ok_ms = [ms for _, ms, error in samples if not error]
    all_ms = [ms for _, ms, _ in samples]
    errors = Counter(error for _, _, error in samples if error)
    by_step: Dict[str, list] = defaultdict(list)
    for step, ms, _ in samples:
        by_step[step].append(ms)
    return {
        **latency_summary_ms(all_ms),
        "messages_per_s": round(len(samples) / raw["duration_s"], 2),
        "answered": len(ok_ms),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)),
        "duration_s": raw["duration_s"],
        "users": raw["users"],
        "p50_by_step_ms": {step: round(percentile(v, 50), 1) for step, v in sorted(by_step.items())},
    }


def run_load(started: Started, users: int, duration: int, profile: Optional[Path] = None) -> dict:
    config = started.workdir / f"load-{started.target.label}.json"
    result = started.workdir / f"load-{started.target.label}-result.json"
    config.write_text(json.dumps({"target": started.target.to_dict(), "users": users, "duration": duration}))
    pids = {"rasa": started.rasa_pid}
    if started.action_pid:
        pids["actions"] = started.action_pid
    with PeakSampler(pids) as memory, _py_spy(started.rasa_pid, profile, duration):
        subprocess.run([sys.executable, "-m", "bench.load", str(config), str(result)],
                       cwd=get_settings().root, env=rasa_env(), check=True,
                       stdout=open(started.workdir / "locust.log", "wb"), stderr=subprocess.STDOUT)
    summary = _summarise(json.loads(result.read_text()))
    summary["rss_peak_mb"] = {name: round(mb, 0) for name, mb in memory.peak.items()}
    summary["rss_after_mb"] = {name: round(rss_mb(pid), 0) for name, pid in pids.items()}
    return summary
