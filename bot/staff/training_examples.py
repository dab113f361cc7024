"""Adding a visitor's wording as a training example of an existing question.

The example goes under `- intent: faq/<answer id>` in data/nlu/, written with
the same layout-keeping writer as the answers. It changes what the assistant
understands only after the model is retrained (`make run` retrains on start
when the training data changed); the answer text itself needs no retraining.
"""
from __future__ import annotations

import re
from pathlib import Path

from bot.content.check import FAQ_INTENT_PREFIX
from bot.staff.yaml_io import YamlDocument, literal, locked

MAX_LENGTH = 300
# Rasa reads [text](entity) and {"entity": ...} inside examples as annotations.
ANNOTATION = re.compile(r"\]\(|\{\"|\[[^\]]*\]\{")


class ExampleRefused(ValueError):
    pass


def _examples(block: str) -> list[str]:
    return [line[2:].strip() for line in str(block).splitlines() if line.startswith("- ")]


def known_examples(nlu_dir: Path) -> dict[str, str]:
    """Every example in the NLU data (lower-cased) and the intent it belongs to."""
    known = {}
    for path in sorted(nlu_dir.glob("*.yml")):
        document = YamlDocument(path)
        for item in (document.data or {}).get("nlu") or []:
            if isinstance(item, dict) and "examples" in item:
                for example in _examples(item["examples"]):
                    known[example.lower()] = str(item.get("intent", ""))
    return known


def add_example(nlu_dir: Path, answer_id: str, example: str) -> Path:
    """Append example to faq/<answer_id>; returns the file it was written to."""
    example = " ".join(example.split())
    if not example:
        raise ExampleRefused("the example is empty")
    if len(example) > MAX_LENGTH or ANNOTATION.search(example):
        raise ExampleRefused("this message cannot be a training example as it is; "
                             "shorten it or remove brackets")
    intent = FAQ_INTENT_PREFIX + answer_id
    with locked(nlu_dir):
        existing = known_examples(nlu_dir).get(example.lower())
        if existing:
            # Rasa's data check fails when one example sits under two intents.
            raise ExampleRefused(f"this wording is already a training example of '{existing}'")
        for path in sorted(nlu_dir.glob("*.yml")):
            document = YamlDocument(path)
            for item in (document.data or {}).get("nlu") or []:
                if isinstance(item, dict) and str(item.get("intent", "")) == intent:
                    block = str(item.get("examples") or "")
                    if block and not block.endswith("\n"):
                        block += "\n"
                    item["examples"] = literal(f"{block}- {example}\n")
                    document.save()
                    return path
    raise ExampleRefused(f"there is no question '{intent}' in the training data")
