"""Adding a visitor's wording as a training example: the file keeps its layout, duplicates are refused."""
from __future__ import annotations

import pytest

from bot.content import training_examples


def test_training_examples_keep_the_file_and_refuse_duplicates(content_paths):
    path = content_paths.nlu_dir / "about.yml"
    before = path.read_text()
    training_examples.add_example(content_paths.nlu_dir, "about_history", "who came up with ketamine")
    after = path.read_text()
    assert after.replace("    - who came up with ketamine\n", "", 1) == before
    with pytest.raises(training_examples.ExampleRefused, match="already a training example"):
        training_examples.add_example(content_paths.nlu_dir, "cost_overview", "History of ketamine")
    with pytest.raises(training_examples.ExampleRefused, match="no question"):
        training_examples.add_example(content_paths.nlu_dir, "no_such_answer", "anything at all")
    with pytest.raises(training_examples.ExampleRefused, match="brackets"):
        training_examples.add_example(content_paths.nlu_dir, "about_history", "[ketamine](drug) history")
