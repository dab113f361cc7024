"""Gated model updates: retrain, evaluate, compare, publish, roll back.

A reviewer starts a retraining from the staff console. It runs in the
background (`python -m bot.model_updates job ID`): train the current
training data (bot.train, so unchanged data reuses the model it has),
evaluate the candidate with the release gates on the gate case files,
evaluate the live model the same way if it has no report yet, and compare
the two case by case. The reviewer publishes the candidate only if its
gates pass. Publishing moves one pointer (var/models/live.json); every Rasa
server pulls the live model from the console's model server (endpoints.yml,
`models:`) and swaps it in without a restart (bot/rasa_fixes.py). The last
KEEP models stay on disk, each with its report, and any of them that passed
its gates can be published again: that is the roll-back.
"""
from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from bot.settings import get_settings

logger = logging.getLogger(__name__)
KEEP = 5
MODEL_NAME = re.compile(r"^model-[0-9a-f]{16}\.tar\.gz$")
GATE_CASES_ENV = "MODEL_GATE_CASES"
DEFAULT_GATE_CASES = ("tests/cases/visitor_questions.yml", "tests/cases/blind/safety_messages.yml",
                      "tests/cases/blind/conversations.yml")
STATES = ("queued", "training", "evaluating", "ready", "failed")


def models_dir() -> Path:
    return get_settings().root / "models"


def state_dir() -> Path:
    path = get_settings().root / "var" / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def gate_cases() -> List[Path]:
    """The case files a model must pass to be published (MODEL_GATE_CASES, comma-separated)."""
    root = get_settings().root
    names = [n.strip() for n in os.environ.get(GATE_CASES_ENV, "").split(",") if n.strip()]
    return [root / n for n in (names or DEFAULT_GATE_CASES)]


def _write_json(path: Path, data: Dict[str, Any]) -> None:
    """Atomically: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    fresh.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    fresh.replace(path)


def _read_json(path: Path) -> Optional[Dict[str, Any]]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


# --- which model is live -------------------------------------------------

def live_pointer() -> Path:
    return state_dir() / "live.json"


def live_model() -> Optional[Path]:
    """The published model, or None: never a guess.

    If the pointer names a model that is gone, serving the newest model
    instead could put an unevaluated one in front of visitors; the model
    server answers 404 and every Rasa server keeps the model it has.
    """
    pointer = _read_json(live_pointer())
    if not pointer:
        return None
    path = models_dir() / str(pointer.get("model"))
    if not path.exists():
        logger.error("The live model %s is missing; nothing new will be served", pointer.get("model"))
        return None
    return path


def publish(model_name: str, actor: str, require_report: bool = True) -> Dict[str, Any]:
    """Make model_name the live model. Refuses a model whose gates did not pass."""
    if not MODEL_NAME.match(model_name or ""):
        raise ValueError(f"{model_name!r} is not a model name")
    path = models_dir() / model_name
    if not path.exists():
        raise ValueError(f"no model {model_name!r}")
    report = read_report(model_name)
    if require_report and not (report and report.get("gates_passed")):
        raise ValueError(f"{model_name} has not passed the release gates")
    previous = live_model()
    pointer = {"model": model_name, "published_at": dt.datetime.utcnow().isoformat(timespec="seconds"),
               "published_by": actor, "previous": previous.name if previous else None}
    _write_json(live_pointer(), pointer)
    prune(keep=KEEP)
    return pointer


def prune(keep: int = KEEP) -> List[str]:
    """Delete all but the newest `keep` models, never the live one."""
    live = live_model()
    models = sorted(models_dir().glob("model-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for stale in models[keep:]:
        if live is not None and stale.name == live.name:
            continue
        stale.unlink(missing_ok=True)
        removed.append(stale.name)
    return removed


# --- reports -------------------------------------------------------------

def report_path(model_name: str) -> Path:
    return state_dir() / "reports" / f"{model_name}.json"


def read_report(model_name: str) -> Optional[Dict[str, Any]]:
    return _read_json(report_path(model_name))


def evaluate_model(model: Path, run: Callable[..., subprocess.CompletedProcess] = subprocess.run
                   ) -> Dict[str, Any]:
    """Run every gate case file against a model; keep the report beside it."""
    root = get_settings().root
    files = {}
    passed = True
    for cases in gate_cases():
        out = state_dir() / "reports" / f"{model.name}.{cases.stem}.json"
        done = run([sys.executable, "-m", "bot.evaluate", str(cases), "--model", str(model),
                    "--gate", "--json", str(out)], cwd=root, capture_output=True, text=True)
        passed = passed and done.returncode == 0
        data = _read_json(out) or {}
        files[cases.stem] = {"gates_passed": done.returncode == 0,
                             "failures": [line for line in (done.stdout or "").splitlines()
                                          if line.startswith("GATE FAILED")],
                             "gates": data.get("gates", []),
                             "outcomes": {c["text"]: c["outcome"] for c in data.get("cases", [])}}
    report = {"model": model.name, "gates_passed": passed, "files": files,
              "evaluated_at": dt.datetime.utcnow().isoformat(timespec="seconds")}
    _write_json(report_path(model.name), report)
    return report


def headline(report: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """The figures a reviewer compares: accuracy and crisis recall per case file."""
    figures: Dict[str, Any] = {}
    for name, data in ((report or {}).get("files") or {}).items():
        for gate in data.get("gates", []):
            if gate["figure"] in ("accuracy", "crisis recall", "crisis/emergency recall",
                                  "near misses sent to crisis"):
                figures[f"{name}: {gate['figure']}"] = gate["value"]["value"]
    return figures


def compare(candidate: Dict[str, Any], live: Optional[Dict[str, Any]]) -> List[Dict[str, str]]:
    """Every case whose outcome differs between the live model and the candidate."""
    changed = []
    for name, data in candidate.get("files", {}).items():
        before = ((live or {}).get("files", {}).get(name) or {}).get("outcomes", {})
        for text, outcome in data.get("outcomes", {}).items():
            if text in before and before[text] != outcome:
                changed.append({"file": name, "text": text, "live": before[text], "candidate": outcome})
    return changed


# --- background jobs -----------------------------------------------------

@dataclass
class Job:
    id: str
    started_by: str
    started_at: str
    state: str = "queued"
    stage: str = "waiting to start"
    model: Optional[str] = None
    live_model: Optional[str] = None
    gates_passed: Optional[bool] = None
    failures: List[str] = field(default_factory=list)
    figures: Dict[str, Any] = field(default_factory=dict)
    live_figures: Dict[str, Any] = field(default_factory=dict)
    changed: List[Dict[str, str]] = field(default_factory=list)
    error: str = ""
    pid: Optional[int] = None

    @property
    def running(self) -> bool:
        """Still working: in a running state and its process alive."""
        if self.state not in ("queued", "training", "evaluating"):
            return False
        if self.pid is None:
            return True  # being started right now
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def job_path(job_id: str) -> Path:
    return state_dir() / "jobs" / f"{job_id}.json"


def save_job(job: Job) -> None:
    _write_json(job_path(job.id), asdict(job))


def load_job(job_id: str) -> Optional[Job]:
    if not job_id.isalnum():
        return None
    data = _read_json(job_path(job_id))
    return Job(**data) if data else None


def jobs(limit: int = 10) -> List[Job]:
    paths = sorted((state_dir() / "jobs").glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    found = [load_job(p.stem) for p in paths[:limit]]
    return [j for j in found if j is not None]


def start_retrain(actor: str) -> Job:
    """Start a retraining in the background; refuses a second one at a time.

    A job whose process died (a crash, a restart) no longer counts as
    running, so it cannot block retraining for good.
    """
    (state_dir() / "jobs").mkdir(parents=True, exist_ok=True)
    with open(state_dir() / "jobs" / ".start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two clicks at once start one job
        if any(j.running for j in jobs()):
            raise RuntimeError("A retraining is already running.")
        job = Job(uuid.uuid4().hex[:12], actor, dt.datetime.utcnow().isoformat(timespec="seconds"))
        save_job(job)
        with open(state_dir() / "jobs" / f"{job.id}.log", "ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "bot.model_updates", "job", job.id],
                                       cwd=get_settings().root, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        job.pid = process.pid
        save_job(job)
    return job


def run_job(job_id: str) -> Job:
    """Train, evaluate and compare; the job file shows each stage as it goes."""
    from bot.train import ensure_model

    job = load_job(job_id)
    if job is None:
        raise SystemExit(f"no job {job_id}")
    job.pid = os.getpid()
    try:
        job.state, job.stage = "training", "training the model on the current training data"
        save_job(job)
        candidate = ensure_model(quiet=True)
        job.model = candidate.name
        live = live_model()
        job.live_model = live.name if live else None
        job.state, job.stage = "evaluating", f"evaluating {candidate.name} with the release gates"
        save_job(job)
        report = evaluate_model(candidate)
        live_report = read_report(live.name) if live else None
        if live is not None and live.name != candidate.name and live_report is None:
            job.stage = f"evaluating the live model {live.name} for the comparison"
            save_job(job)
            live_report = evaluate_model(live)
        job.gates_passed = bool(report["gates_passed"])
        job.failures = [f for data in report["files"].values() for f in data["failures"]]
        job.figures, job.live_figures = headline(report), headline(live_report)
        job.changed = compare(report, live_report) if live_report and live.name != candidate.name else []
        job.state, job.stage = "ready", ("the gates passed: ready to publish" if job.gates_passed
                                         else "the gates failed: this model cannot be published")
    except Exception as error:  # noqa: BLE001  the reviewer must see what went wrong
        job.state, job.stage, job.error = "failed", "failed", f"{type(error).__name__}: {error}"
    save_job(job)
    from bot.staff import audit

    audit.record(get_settings().database_url, "model update job", "model.evaluated", job.model or "",
                 {"job": job.id, "state": job.state, "gates_passed": job.gates_passed,
                  "changed_cases": len(job.changed)})
    return job


def kept_models() -> List[Dict[str, Any]]:
    """Models on disk, newest first, with their headline figures."""
    live = live_model()
    rows = []
    for path in sorted(models_dir().glob("model-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True):
        report = read_report(path.name)
        rows.append({"name": path.name, "live": live is not None and path.name == live.name,
                     "trained_at": dt.datetime.utcfromtimestamp(path.stat().st_mtime),
                     "gates_passed": (report or {}).get("gates_passed"), "figures": headline(report)})
    return rows


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.model_updates")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("job").add_argument("job_id")
    sub.add_parser("live")
    args = parser.parse_args(argv)
    if args.command == "job":
        job = run_job(args.job_id)
        print(f"{job.id}: {job.state} ({job.stage})")
        return 0 if job.state == "ready" else 1
    print(live_model())
    return 0


if __name__ == "__main__":
    sys.exit(main())
