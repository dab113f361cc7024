"""Two linear classifiers: which intent, and for `faq`, which curated answer.

It replaces Rasa's DIETClassifier + ResponseSelector pair (two TensorFlow
models) with two scikit-learn logistic regressions over the sparse word and
character features of the featurizers before it, split the same way: one
over the intents (every curated answer counts as `faq`), one over the
answers. Why (docs/nlu.md has the measurements):

- The same data gives the same model on every machine. A convex problem
  solved to a tight tolerance has one optimum, so the few last-bit
  differences between CPUs (BLAS and libm kernels) cannot move a prediction,
  whereas TensorFlow's training path depends on the kernels it picks.
- Training takes seconds instead of minutes.
- Short FAQ questions are classified as well by a bag of word and character
  features as by the neural models.

The output keeps Rasa's contract, so rules, the NLG and the evaluation do
not change: `intent` and `intent_ranking` as DIET wrote them, and the
`response_selector` property with the answer ranking, in the shape Rasa's
ResponseSelector writes and `utter_faq` reads.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)
UTTER_PREFIX = "utter_"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class IntentAndAnswerClassifier(IntentClassifier, GraphComponent):
    """Predicts the intent and, for `faq`, which curated answer."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Featurizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Inverse regularisation strength; docs/nlu.md shows the sweep.
            "C": 30.0,
            # A tight tolerance makes the solver land on the unique optimum,
            # whatever the floating-point path it took to get there.
            "tol": 1e-8,
            "max_iter": 2000,
            # liblinear: one-vs-rest, a trust-region Newton method in plain C
            # with no BLAS, so no CPU-specific kernels at all, and five times
            # faster here than lbfgs (multinomial) at the same accuracy.
            "solver": "liblinear",
            # "balanced" weighs every label as if it had as many examples as
            # any other; None keeps the examples' own proportions.
            "intent_class_weight": None,
            "answer_class_weight": "balanced",
            "retrieval_intent": "faq",
            "ranking_length": 10,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage,
                 resource: Resource, models: Optional[Dict[str, Pipeline]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # "intents" over base intents, "answers" over faq/<id> labels.
        self.models = models or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "IntentAndAnswerClassifier":
        return cls(config, model_storage, resource)

    def _new_model(self, class_weight: Optional[str]) -> Pipeline:
        return Pipeline([
            # Rare words and character n-grams carry the topic; sublinear
            # counts keep a long message from drowning in repeated words.
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ("classifier", LogisticRegression(
                C=self.config["C"], tol=self.config["tol"], max_iter=self.config["max_iter"],
                solver=self.config["solver"], class_weight=class_weight, random_state=0)),
        ])

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        self.models = {"intents": self._new_model(self.config["intent_class_weight"]).fit(
            features_of(examples), [e.get(INTENT) for e in examples])}
        answers = [e for e in examples if e.get(INTENT) == self.config["retrieval_intent"]
                   and e.get(INTENT_RESPONSE_KEY)]
        if answers:
            self.models["answers"] = self._new_model(self.config["answer_class_weight"]).fit(
                features_of(answers), [e.get(INTENT_RESPONSE_KEY) for e in answers])
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if "intents" not in self.models:
            return messages
        features = features_of(messages)
        intents = self.models["intents"]
        intent_rows = intents.predict_proba(features)
        answers = self.models.get("answers")
        answer_rows = answers.predict_proba(features) if answers is not None else None
        for index, message in enumerate(messages):
            ranking = ranked(list(intents.classes_), intent_rows[index], INTENT_NAME_KEY)
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[: self.config["ranking_length"]],
                        add_to_output=True)
            if answer_rows is not None:
                answer_ranking = ranked(list(answers.classes_), answer_rows[index],
                                        INTENT_RESPONSE_KEY)[: self.config["ranking_length"]]
                message.set(RESPONSE_SELECTOR_PROPERTY_NAME,
                            selector_output(self.config["retrieval_intent"], answer_ranking),
                            add_to_output=True)
        return messages

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            for name, model in self.models.items():
                sio.dump(model, directory / f"{name}.skops")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any
             ) -> "IntentAndAnswerClassifier":
        import skops.io as sio

        models = {}
        try:
            with model_storage.read_from(resource) as directory:
                for path in sorted(directory.glob("*.skops")):
                    types = sio.get_untrusted_types(file=path)
                    # Only the types this component itself writes are trusted.
                    foreign = [t for t in types if not t.startswith(("sklearn.", "numpy.", "scipy."))]
                    if foreign:
                        raise ValueError(f"unexpected types in {path}: {foreign}")
                    models[path.stem] = sio.load(path, trusted=types)
        except ValueError:
            logger.warning("No trained intent classifier found; predicting nothing.")
        return cls(config, model_storage, resource, models)


def features_of(messages: List[Message]) -> csr_matrix:
    """The sentence-level sparse features of every featurizer, side by side."""
    rows = []
    for message in messages:
        _, sentence = message.get_sparse_features(TEXT)
        rows.append(csr_matrix(sentence.features) if sentence is not None else csr_matrix((1, 0)))
    return vstack(rows).tocsr()


def ranked(labels: List[str], probabilities: np.ndarray, key: str) -> List[Dict[str, Any]]:
    """Labels by falling probability; ties broken by name, never by label order."""
    pairs = sorted(zip(labels, (float(p) for p in probabilities)), key=lambda x: (-x[1], x[0]))
    return [{key: label, PREDICTED_CONFIDENCE_KEY: p} for label, p in pairs]


def selector_output(retrieval_intent: str, answer_ranking: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The `response_selector` property as Rasa's ResponseSelector writes it."""
    best = answer_ranking[0]
    return {
        RESPONSE_SELECTOR_RETRIEVAL_INTENTS: [retrieval_intent],
        retrieval_intent: {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                # The NLG renders answers from data/content/, not from here.
                RESPONSE_SELECTOR_RESPONSES_KEY: [],
                PREDICTED_CONFIDENCE_KEY: best[PREDICTED_CONFIDENCE_KEY],
                INTENT_RESPONSE_KEY: best[INTENT_RESPONSE_KEY],
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: UTTER_PREFIX + best[INTENT_RESPONSE_KEY],
            },
            RESPONSE_SELECTOR_RANKING_KEY: answer_ranking,
        },
    }
