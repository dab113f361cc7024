"""`python -m bot.safety.build`: build the safety net's learned parts.

Two artefacts under build/safety/, rebuilt only when their inputs change
(bot.artefacts): the spelling table for risk-word correction and the risk
classifier. `make` builds them with the spaCy pipeline; the safety net's
training step copies the risk classifier into each Rasa model.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import sklearn

from bot import artefacts
from bot.settings import get_settings

if TYPE_CHECKING:
    from bot.safety.risk_model import RiskModelSettings

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
    from bot.safety.risk_model import CASES_DIR, learned_case_files

    data = sorted((root / "data" / "safety" / "risk_examples").glob("*.yml"))
    nlu = sorted((root / "data" / "nlu").glob("*.yml")) + learned_case_files(root / CASES_DIR)
    code = [HERE / "risk_model.py", HERE / "normalise.py", HERE / "language.py",
            HERE / "lexicon" / "slang.yml", HERE / "lexicon" / "idioms.yml",
            HERE / "lexicon" / "risk_words.txt"]
    return data + nlu + code


def build_spelling(force: bool = False) -> bool:
    from bot.safety.normalise import build_spelling_table

    out = _safety_dir() / SPELLING_FOLDER
    wanted = artefacts.fingerprint(_spelling_inputs())
    return artefacts.build_if_changed(
        out, wanted, lambda folder: build_spelling_table(folder / SPELLING_FILE), force)


def build_risk_model(settings: Optional["RiskModelSettings"] = None, force: bool = False) -> Path:
    """The risk classifier for the repository's data, built if its inputs changed.

    Built here, not in every Rasa training: the safety net's training step
    (bot/nlu/safety_net.py) copies this file into the Rasa model, so a model
    carries the risk classifier it was evaluated with.
    """
    from bot.safety.decision import safety_net_config
    from bot.safety.risk_model import RiskModel, RiskModelSettings, training_examples

    root = get_settings().root
    settings = settings or RiskModelSettings.from_config(safety_net_config(root / "config.yml"))
    build_spelling()  # the risk model reads normalised text
    out = _safety_dir() / RISK_FOLDER
    wanted = artefacts.fingerprint(_risk_inputs(root), sklearn.__version__, repr(settings))

    def make(folder: Path) -> None:
        RiskModel.train(training_examples(root), settings.c, settings.class_weight).save(folder / RISK_FILE)

    artefacts.build_if_changed(out, wanted, make, force)
    return out / RISK_FILE


def spelling_table_path() -> Path:
    build_spelling()
    return _safety_dir() / SPELLING_FOLDER / SPELLING_FILE


def build_safety(force: bool = False) -> str:
    build_spelling(force)
    return f"spelling table and risk model up to date: {build_risk_model(force=force)}"


if __name__ == "__main__":
    print(build_safety(force="--force" in sys.argv[1:]))
