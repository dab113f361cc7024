"""The same training data gives the same model, whatever the machine.

Trains the real pipeline (config.yml) twice on a small part of the real NLU
data, with Rasa's training cache off: once as usual, once in an environment
that looks like another machine to the numeric libraries (NumPy's AVX2/FMA
kernels disabled, OpenBLAS forced to an old CPU's kernels, one thread). Both
models must give the same intent and answer for every message, with the
same confidences to well below any threshold.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import get_settings
from bot.stack import rasa_env

ROOT = get_settings().root
NLU_FILES = ["conversation.yml", "cost.yml", "side_effects.yml", "crisis.yml", "handoff.yml"]
MESSAGES = [
    "how much is one infusion", "does insurance cover it", "what are the side effects",
    "will i feel sick after", "hello", "bye for now", "i want to talk to a person",
    "can i pay in installments", "is dizziness normal", "thanks a lot",
    "my blood pressure after the spray", "how long does the nausea last", "cuanto cuesta",
]
PARSE = """
import asyncio, json, sys
from rasa.core.agent import Agent
agent = Agent.load(sys.argv[1])
out = []
for text in json.loads(sys.argv[2]):
    r = asyncio.run(agent.parse_message(text))
    selector = (r.get("response_selector") or {}).get("faq", {}).get("ranking", [])
    out.append({"intent": r["intent"]["name"],
                "ranking": [(x["name"], x["confidence"]) for x in r["intent_ranking"]],
                "answers": [(x["intent_response_key"], x["confidence"]) for x in selector]})
print("RESULT" + json.dumps(out))
"""


def other_machine_env() -> dict[str, str]:
    """Numeric libraries restricted as on an older CPU, single-threaded."""
    import numpy.core._multiarray_umath as umath

    have = [f for f in ("AVX512F", "AVX2", "FMA3", "F16C", "AVX") if umath.__cpu_features__.get(f)]
    env = {"OPENBLAS_CORETYPE": "Nehalem", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    if have:
        env["NPY_DISABLE_CPU_FEATURES"] = " ".join(have)
    return env


def train(out: Path, extra_env: dict[str, str]) -> Path:
    env = {**rasa_env(), **extra_env}
    assert env["RASA_MAX_CACHE_SIZE"] == "0", "the training cache must be off"
    nlu = out / "nlu"
    nlu.mkdir()
    for name in NLU_FILES:  # links, not copies: the real training data
        (nlu / name).symlink_to(ROOT / "data" / "nlu" / name)
    subprocess.run([sys.executable, "-m", "rasa", "train", "nlu", "--config", "config.yml",
                    "--nlu", str(nlu), "--out", str(out), "--fixed-model-name", "small"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out / "small.tar.gz"


def parse(model: Path, extra_env: dict[str, str]) -> list[dict]:
    env = {**rasa_env(), **extra_env}
    done = subprocess.run([sys.executable, "-c", PARSE, str(model), json.dumps(MESSAGES)],
                          cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


@pytest.fixture(scope="module")
def predictions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    other = other_machine_env()
    here = train(tmp_path_factory.mktemp("here"), {})
    there = train(tmp_path_factory.mktemp("there"), other)
    return {"here": parse(here, {}), "there": parse(there, {}), "there_run_there": parse(there, other)}


def _same(a: list[dict], b: list[dict]) -> None:
    for left, right, text in zip(a, b, MESSAGES):
        assert left["intent"] == right["intent"], text
        assert [n for n, _ in left["ranking"]] == [n for n, _ in right["ranking"]], text
        assert [k for k, _ in left["answers"]] == [k for k, _ in right["answers"]], text
        for (_, x), (_, y) in zip(left["ranking"] + left["answers"], right["ranking"] + right["answers"]):
            assert x == pytest.approx(y, abs=1e-6), text


def test_two_trainings_on_differently_configured_machines_predict_the_same(predictions) -> None:
    _same(predictions["here"], predictions["there"])


def test_the_model_predicts_the_same_on_the_other_machine_too(predictions) -> None:
    _same(predictions["here"], predictions["there_run_there"])


def test_the_fixture_is_not_trivial(predictions) -> None:
    intents = {p["intent"] for p in predictions["here"]}
    answers = {p["answers"][0][0] for p in predictions["here"] if p["answers"]}
    assert len(intents) >= 3 and "faq" in intents and len(answers) >= 3
