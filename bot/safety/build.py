"""`python -m bot.safety.build`: build the safety net's learned parts.

Two artefacts under build/safety/, rebuilt only when their inputs change
(bot.artefacts): the spelling table for risk-word correction and the risk
classifier. `make` builds them with the spaCy pipeline; a process that needs
them before that builds them itself.
"""
from __future__ import annotations

import sys
from pathlib import Path

import sklearn

from bot import artefacts
from bot.settings import get_settings

SPELLING_FOLDER = "spelling"
RISK_FOLDER = "risk_model"
SPELLING_FILE = "near_risk_words.json"
RISK_FILE = "risk_model.joblib"
HERE = Path(__file__).parent


def _safety_dir() -> Path:
    return get_settings().root / "build" / "safety"


def _spelling_inputs() -> list[Path]:
    return [HERE / "normalise.py", HERE / "lexicon" / "risk_words.txt"]


def _risk_inputs(root: Path) -> list[Path]:
    data = sorted((root / "data" / "safety" / "risk_examples").glob("*.yml"))
    nlu = sorted((root / "data" / "nlu").glob("*.yml"))
    code = [HERE / "risk_model.py", HERE / "normalise.py", HERE / "language.py",
            HERE / "lexicon" / "slang.yml", HERE / "lexicon" / "risk_words.txt"]
    return data + nlu + code


def build_spelling(force: bool = False) -> bool:
    from bot.safety.normalise import build_spelling_table

    out = _safety_dir() / SPELLING_FOLDER
    wanted = artefacts.fingerprint(_spelling_inputs())
    return artefacts.build_if_changed(
        out, wanted, lambda folder: build_spelling_table(folder / SPELLING_FILE), force)


def _risk_parameters(root: Path) -> tuple[float, object]:
    """The risk model's own settings in config.yml (the thresholds are not:
    changing a threshold must not retrain it)."""
    from bot.safety.decision import thresholds_from_config
    from bot.safety.risk_model import risk_class_weight

    config = root / "config.yml"
    return thresholds_from_config(config)["risk_model_c"], risk_class_weight(config)


def build_risk_model(force: bool = False) -> bool:
    from bot.safety.risk_model import RiskModel, training_examples

    root = get_settings().root
    out = _safety_dir() / RISK_FOLDER
    c, weight = _risk_parameters(root)
    wanted = artefacts.fingerprint(_risk_inputs(root), sklearn.__version__, f"C={c} weight={weight}")

    def make(folder: Path) -> None:
        RiskModel.train(training_examples(root), c, weight).save(folder / RISK_FILE)

    return artefacts.build_if_changed(out, wanted, make, force)


def spelling_table_path() -> Path:
    build_spelling()
    return _safety_dir() / SPELLING_FOLDER / SPELLING_FILE


def risk_model_path() -> Path:
    build_spelling()  # the risk model reads normalised text
    build_risk_model()
    return _safety_dir() / RISK_FOLDER / RISK_FILE


def build_safety(force: bool = False) -> str:
    spelling = build_spelling(force)
    risk = build_risk_model(force)
    return (f"spelling table {'built' if spelling else 'up to date'}; "
            f"risk model {'built' if risk else 'up to date'}: {_safety_dir()}")


if __name__ == "__main__":
    print(build_safety(force="--force" in sys.argv[1:]))
