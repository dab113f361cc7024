"""`python -m bot.rasa_test`: Rasa's own story test on tests/stories/.

End to end (--e2e): each user line goes through the NLU model, and every
story must be predicted exactly (--fail-on-prediction-errors), including the
exact answer each curated question reaches.
"""
from __future__ import annotations

import subprocess
import sys

from bot.settings import get_settings
from bot.train import ensure_model
from bot.stack import rasa_env


def main() -> int:
    root = get_settings().root
    model = ensure_model(quiet=True)
    command = [
        sys.executable, "-m", "rasa", "test", "core", "--e2e", "--model", str(model),
        "--stories", "tests/stories", "--out", "reports/rasa_test",
        "--fail-on-prediction-errors", "--no-plot",
    ]
    return subprocess.run(command, cwd=root, env=rasa_env()).returncode


if __name__ == "__main__":
    sys.exit(main())
