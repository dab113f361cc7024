"""The intent and answer classifier on its own, without spaCy or a trained model.

Messages get hand-made tokens (the lemmas SpacyTokenizer would set), so the
component is trained, stored, loaded and run exactly as in Rasa's graph, on a
few examples.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import IntentAndAnswerClassifier, feature_text

EXAMPLES = [
    ("hello there", "greet", None), ("hi", "greet", None), ("good morning", "greet", None),
    ("hey you", "greet", None),
    ("bye", "goodbye", None), ("see you later", "goodbye", None), ("good night", "goodbye", None),
    ("how much does it cost", "faq", "faq/cost"), ("what is the price", "faq", "faq/cost"),
    ("is it expensive", "faq", "faq/cost"), ("price of 1 infusion", "faq", "faq/cost"),
    ("what are the side effects", "faq", "faq/side_effects"),
    ("will I feel sick", "faq", "faq/side_effects"),
    ("does it cause nausea", "faq", "faq/side_effects"),
    ("side effects of the spray", "faq", "faq/side_effects"),
]


def message(text: str, intent: str | None = None, answer: str | None = None,
            lemmas: list[str] | None = None) -> Message:
    """A message with whitespace tokens; `lemmas` stands in for spaCy's."""
    data = {TEXT: text}
    if intent:
        data[INTENT] = intent
    if answer:
        data[INTENT_RESPONSE_KEY] = answer
    msg = Message(data=data)
    words = text.split()
    offsets, start = [], 0
    for word in words:
        start = text.index(word, start)
        offsets.append(start)
        start += len(word)
    msg.set(TOKENS_NAMES[TEXT], [Token(w, o, lemma=(lemmas[i] if lemmas else w))
                                  for i, (w, o) in enumerate(zip(words, offsets))])
    return msg


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def trained(storage: LocalModelStorage, **config) -> IntentAndAnswerClassifier:
    resource = Resource("classifier")
    component = IntentAndAnswerClassifier.create(
        {**IntentAndAnswerClassifier.get_default_config(), **config}, storage, resource,
        ExecutionContext(None))
    component.train(TrainingData([message(*e) for e in EXAMPLES]))
    return component


def loaded(storage: LocalModelStorage, component: IntentAndAnswerClassifier
           ) -> IntentAndAnswerClassifier:
    return IntentAndAnswerClassifier.load(component.config, storage, component._resource,
                                          ExecutionContext(None))


def test_feature_text_reads_lemmas_lowercased_with_numbers_as_one_token() -> None:
    msg = message("Took 2 Pills", lemmas=["Take", "2", "Pill"])
    assert feature_text(msg) == "take __number__ pill"
    assert feature_text(Message(data={TEXT: ""})) == ""


def test_predicts_intent_and_answer_in_rasas_output_shape(storage: LocalModelStorage) -> None:
    component = trained(storage)
    [cost, hello] = component.process([message("how much is the price"), message("hello")])
    assert cost.get(INTENT)["name"] == "faq"
    selector = cost.get("response_selector")
    assert selector["all_retrieval_intents"] == ["faq"]
    assert selector["faq"]["response"]["intent_response_key"] == "faq/cost"
    assert selector["faq"]["response"]["utter_action"] == "utter_faq/cost"
    assert [r["intent_response_key"] for r in selector["faq"]["ranking"]] == ["faq/cost",
                                                                              "faq/side_effects"]
    assert hello.get(INTENT)["name"] == "greet"
    ranking = hello.get("intent_ranking")
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_stored_and_loaded_model_gives_the_same_probabilities(storage: LocalModelStorage) -> None:
    component = trained(storage)
    again = loaded(storage, component)
    texts = ["price", "i feel sick", "good bye", "🙂", "", "x" * 500, "<b>cost</b> 300"]
    for name, model in component.models.items():
        features = component.features([message(t) for t in texts])
        np.testing.assert_array_equal(model.predict_proba(features),
                                      again.models[name].predict_proba(again.features(
                                          [message(t) for t in texts])))


def test_stored_model_holds_no_pickles(storage: LocalModelStorage) -> None:
    component = trained(storage)
    with storage.read_from(component._resource) as directory:
        files = sorted(p.name for p in directory.iterdir())
        assert files == ["answers.npz", "intents.npz", "vocabularies.json"]
        for name in ("answers.npz", "intents.npz"):
            with np.load(directory / name, allow_pickle=False) as arrays:
                assert {a.dtype.kind for a in arrays.values()} <= {"f", "U"}


def test_unseen_and_empty_messages_still_get_a_ranking(storage: LocalModelStorage) -> None:
    component = trained(storage)
    for text in ["", "zzzz qqqq", "🙂🙂"]:
        [msg] = component.process([message(text)])
        assert msg.get(INTENT)["name"] in {"greet", "goodbye", "faq"}
        assert 0.0 <= msg.get(INTENT)["confidence"] <= 1.0


def test_a_model_without_the_classifier_files_predicts_nothing(storage: LocalModelStorage) -> None:
    resource = Resource("never-trained")
    component = IntentAndAnswerClassifier.load({}, storage, resource, ExecutionContext(None))
    [msg] = component.process([message("hello")])
    assert msg.get(INTENT) is None


def test_char_ngram_settings_come_from_the_config(storage: LocalModelStorage) -> None:
    component = trained(storage, char_min_ngram=3, char_max_ngram=3, char_min_df=1)
    assert all(len(gram) == 3 for gram in component.vectorizers["chars"].vocabulary_)
    again = loaded(storage, component)
    assert again.vectorizers["chars"].vocabulary == component.vectorizers["chars"].vocabulary_
