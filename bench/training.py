"""Our model's training time, measured cold and remembered per training input.

`make bench` trains first (bot.train), so the benchmark usually finds the
model already there. To report a training time anyway it trains the same
inputs once more into a scratch folder, with a fresh Rasa training cache (a
cold training, as after a change to config.yml, and like the stock
baseline's), and keeps the result under build/bench/ keyed by the model's
fingerprint. That takes minutes and the training data changes often, so a
run reuses the newest record (labelled as such) when the current inputs have
none, and trains only on a machine with no record at all or when asked to
(--measure-training). A smoke run never trains just to measure.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from bench.stock import CACHE_ROOT
from bot.settings import get_settings
from bot.train import MODELS_DIR, ensure_model, model_path, train_command
from bot.stack import rasa_env


def _record(model: Path) -> Path:
    return CACHE_ROOT / f"ours-training-{model.name[: -len('.tar.gz')]}.json"


def _save(model: Path, seconds: float, how: str) -> dict:
    data = {"training_s": round(seconds, 1), "trained_on": time.strftime("%Y-%m-%d %H:%M"), "how": how}
    _record(model).parent.mkdir(parents=True, exist_ok=True)
    _record(model).write_text(json.dumps(data))
    return data


def ensure_timed_model() -> Path:
    """ensure_model(), timing the training when it happens in this run."""
    root = get_settings().root
    expected = model_path(root)
    existed = expected.exists()
    started = time.monotonic()
    model = ensure_model(quiet=True)
    if not existed and model.exists() and not _record(model).exists():
        _save(model, time.monotonic() - started, "bot.train during this benchmark run")
    return model


def _cold_training(model: Path) -> dict:
    root = get_settings().root
    with tempfile.TemporaryDirectory(prefix="bench-train-") as scratch:
        env = {**rasa_env(), "RASA_CACHE_DIRECTORY": str(Path(scratch) / "cache")}
        command = train_command(str(Path(scratch) / MODELS_DIR), "cold")
        started = time.monotonic()
        with open(Path(scratch) / "train.log", "wb") as log:
            done = subprocess.run(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            raise RuntimeError(f"training failed:\n{(Path(scratch) / 'train.log').read_text()[-3000:]}")
    return _save(model, seconds, "cold `rasa train` into a scratch folder (fresh training cache)")


def _newest_record() -> Optional[dict]:
    records = sorted(CACHE_ROOT.glob("ours-training-*.json"), key=lambda p: p.stat().st_mtime)
    if not records:
        return None
    data = json.loads(records[-1].read_text())
    model = records[-1].stem[len("ours-training-"):]
    return {**data, "how": f"{data['how']}; measured for {model}, not the current training data"}


def training_time(model: Path, measure: bool, force: bool = False) -> Optional[dict]:
    """{"training_s", "trained_on", "how"} for this model's inputs, or None.

    A cold training takes minutes (about 4x stock's), and the training data
    changes often, so a run without `force` falls back to the newest record
    for earlier inputs and only trains when there is no record at all.
    """
    record = _record(model)
    if record.exists() and not force:
        return json.loads(record.read_text())
    if not force:
        newest = _newest_record()
        if newest is not None or not measure:
            return newest
    return _cold_training(model)
