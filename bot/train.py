"""`python -m bot.train`: train only when something the model learns from changed.

The model's name is a hash of its inputs, so an unchanged project reuses the
model it already has. Curated answer text (data/content/) is deliberately not
an input: it is rendered at reply time, and editing it never needs training.
"""
from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

from bot.nlp.build import build as build_spacy
from bot.nlp.build import fingerprint as spacy_fingerprint
from bot.settings import get_settings
from bot.stack import rasa_env

TRAINING_DATA = ("data/nlu", "data/rules", "data/stories")
TRAINING_FILES = ("config.yml", "domain.yml")
# Our trainable components and what they learn from besides Rasa's data
# (the safety net copies the risk classifier into the model): a change to
# any of them must retrain the model.
TRAINABLE_CODE = ("bot/nlu/intent_classifier.py", "bot/safety/risk_model.py", "bot/safety/normalise.py",
                  "bot/safety/language.py", "bot/safety/lexicon/slang.yml",
                  "bot/safety/lexicon/idioms.yml", "bot/safety/lexicon/risk_words.txt")
RISK_DATA = "data/safety/risk_examples"
MODELS_DIR = "models"
def training_fingerprint(root: Path) -> str:
    import rasa

    from bot.safety.risk_model import CASES_DIR, learned_case_files

    digest = hashlib.sha256(f"rasa {rasa.__version__}\nspacy {spacy_fingerprint()}\n".encode())
    files = [root / f for f in TRAINING_FILES + TRAINABLE_CODE]
    for folder in (*TRAINING_DATA, RISK_DATA):
        files.extend(sorted((root / folder).rglob("*.yml")))
    # The blind case files the risk classifier learns from.
    files.extend(learned_case_files(root / CASES_DIR))
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(root: Path) -> Path:
    return root / MODELS_DIR / f"model-{training_fingerprint(root)}.tar.gz"


def ensure_model(root: Path | None = None, quiet: bool = False) -> Path:
    """The trained model for the current inputs, training it first if needed."""
    root = root or get_settings().root
    build_spacy(get_settings().spacy_model_dir)
    path = model_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    # One training at a time: a second caller waits, then finds the model.
    with open(path.parent / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            _train(root, path)
            from bot.model_updates import prune

            prune()
        elif not quiet:
            print(f"Model up to date: {path.relative_to(root)}")
    return path


def train_command(out_dir: str, name: str) -> list[str]:
    """The `rasa train` command for our model (the benchmark times this one too)."""
    return [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml",
        "--data", *TRAINING_DATA,
        "--out", out_dir, "--fixed-model-name", name,
        # `make validate` checks the data with --fail-on-warnings; checking it
        # again here would cost about 10 s of every training.
        "--skip-validation",
    ]


def _train(root: Path, path: Path) -> None:
    print(f"Training {path.name} (training data changed) ...", flush=True)
    subprocess.run(train_command(MODELS_DIR, path.name[: -len(".tar.gz")]), cwd=root,
                   env=rasa_env(), check=True)


if __name__ == "__main__":
    print(ensure_model())
