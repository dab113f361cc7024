"""`python -m bot.compare_pipelines CONFIG.yml [...]`: the numbers in docs/nlu.md.

Trains each NLU/dialogue config on the same data into a temporary folder and
runs the behaviour evaluation on tests/cases/visitor_questions.yml, printing
training time, accuracy, the lowest topic recall and the crisis/handoff/
fallback recall for each, next to the shipped config.yml.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.content.model import TOPICS
from bot.evaluate.cases import load_cases
from bot.evaluate.metrics import CaseResult, summarise
from bot.evaluate.outcomes import outcome_of
from bot.evaluate.runner import run_cases
from bot.settings import get_settings
from bot.train import TRAINING_DATA
from bot.stack import rasa_env

CASES = Path("tests/cases/visitor_questions.yml")


def train(config: Path, out: Path) -> tuple[Path, float]:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "rasa", "train", "--config", str(config),
                    "--domain", "domain.yml", "--data", *TRAINING_DATA, "--out", str(out),
                    "--fixed-model-name", config.stem, "--skip-validation"], cwd=get_settings().root,
                   env=rasa_env(), check=True, stdout=subprocess.DEVNULL)
    return out / f"{config.stem}.tar.gz", time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("configs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    cases = load_cases(get_settings().root / CASES)
    print(f"{'config':<22}{'train s':>8}{'accuracy':>10}{'min topic':>10}{'crisis':>8}"
          f"{'handoff':>8}{'fallback':>9}")
    with tempfile.TemporaryDirectory() as scratch:
        for config in args.configs:
            model, seconds = train(config.resolve(), Path(scratch))
            replies = run_cases(model, [c.text for c in cases])
            results = [CaseResult(c.text, c.expect, outcome_of(r), c.label)
                       for c, r in zip(cases, replies)]
            summary = summarise(results)
            per = summary["per_outcome"]
            accuracy = summary["accuracy"].value
            min_topic = min(per[t]["recall"].value for t in TOPICS if t in per)
            recall = {k: per[k]["recall"].value if k in per else 0.0
                      for k in ("crisis", "handoff", "fallback")}
            print(f"{config.stem:<22}{seconds:>8.0f}{accuracy:>10.3f}{min_topic:>10.3f}"
                  f"{recall['crisis']:>8.3f}{recall['handoff']:>8.3f}{recall['fallback']:>9.3f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
