"""The baseline: the stock `rasa init` assistant with its default config.

Generated with `rasa init --no-prompt` (which trains it at once) into a
temporary folder outside the repository, with a fresh Rasa training cache so
the training time is a cold one. The trained model and its training time are
kept under build/bench/stock-rasa-<version>/, so later runs reuse them; they
only change when Rasa does.

The stock project needs no action server: its actions.py is all comments and
its domain lists no custom action (checked below, so a future scaffold that
adds one fails loudly instead of being measured wrongly).

For --smoke on a machine without the cached model, a "light" stock model is
trained instead: the same scaffold and the same default components, with 1
epoch instead of 100. It proves the whole path in seconds; its numbers are
labelled and never cached as the baseline. Inference cost barely depends on
epochs, so even then the comparison is indicative.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.settings import get_settings
from bot.stack import rasa_env

CACHE_ROOT = get_settings().root / "build" / "bench"


@dataclass(frozen=True)
class StockModel:
    project: Path
    model: Path
    training_s: float
    trained_on: str  # when the cached training happened
    light: bool  # the 1-epoch smoke model, not the baseline


def _rasa_version() -> str:
    import rasa

    return rasa.__version__


def cache_dir(light: bool = False) -> Path:
    return CACHE_ROOT / f"stock-rasa-{_rasa_version()}{'-light' if light else ''}"


def _check_no_custom_actions(project: Path) -> None:
    domain = yaml.safe_load((project / "domain.yml").read_text())
    custom = [a for a in domain.get("actions") or [] if not str(a).startswith("utter_")]
    if custom:
        raise RuntimeError(f"the stock scaffold now has custom actions {custom}; "
                           "bench/stacks.py must start an action server for it")


def _lighten(project: Path) -> None:
    """Write the default config explicitly, with 1 epoch for every trained component."""
    import rasa.engine.recipes as recipes

    default = Path(recipes.__file__).parent / "config_files" / "default_config.yml"
    config = yaml.safe_load(default.read_text())
    for part in ("pipeline", "policies"):
        for component in config[part]:
            if "epochs" in component:
                component["epochs"] = 1
    (project / "config.yml").write_text(yaml.safe_dump(config, sort_keys=False))


def _train(light: bool) -> StockModel:
    target = cache_dir(light)
    with tempfile.TemporaryDirectory(prefix="bench-stock-") as scratch:
        project = Path(scratch) / "stock"
        project.mkdir()
        env = {**rasa_env(), "RASA_CACHE_DIRECTORY": str(Path(scratch) / "cache")}
        log = open(Path(scratch) / "train.log", "wb")
        if light:
            # Scaffold without training, lighten the config, then train it.
            subprocess.run([sys.executable, "-c",
                            "from rasa.cli.scaffold import create_initial_project as c; import sys; c(sys.argv[1])",
                            str(project)], env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
            _lighten(project)
            command = [sys.executable, "-m", "rasa", "train", "--out", "models"]
        else:
            command = [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(project)]
        started = time.monotonic()
        done = subprocess.run(command, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
        seconds = time.monotonic() - started
        log.close()
        if done.returncode != 0:
            raise RuntimeError(f"stock training failed:\n{(Path(scratch) / 'train.log').read_text()[-3000:]}")
        models = sorted((project / "models").glob("*.tar.gz"))
        if not models:
            raise RuntimeError("stock training produced no model")
        _check_no_custom_actions(project)
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in ("config.yml", "domain.yml", "data"):
            source = project / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / name)
        shutil.copy2(models[-1], target / "model.tar.gz")
    (target / "training.json").write_text(json.dumps(
        {"training_s": round(seconds, 1), "trained_on": time.strftime("%Y-%m-%d %H:%M"),
         "rasa": _rasa_version(), "light": light}))
    return _cached(light)


def _cached(light: bool) -> StockModel | None:
    folder = cache_dir(light)
    info = folder / "training.json"
    if not (info.exists() and (folder / "model.tar.gz").exists()):
        return None
    data = json.loads(info.read_text())
    return StockModel(folder, folder / "model.tar.gz", data["training_s"], data["trained_on"], light)


def prepare(smoke: bool) -> tuple[StockModel, bool]:
    """The stock model and whether it was trained in this run.

    A full run always uses (and if needed trains) the real baseline; a smoke
    run uses the real baseline when cached and the light model otherwise.
    """
    real = _cached(light=False)
    if real is not None:
        return real, False
    if smoke:
        light = _cached(light=True)
        return (light, False) if light is not None else (_train(light=True), True)
    return _train(light=False), True
