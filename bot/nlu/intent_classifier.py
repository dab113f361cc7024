"""Two linear classifiers: which intent, and for `faq`, which curated answer.

It replaces Rasa's DIETClassifier + ResponseSelector pair (two TensorFlow
models) with two scikit-learn logistic regressions over bag-of-words and
character n-gram counts of the message's lemmas, split the same way: one
over the intents (every curated answer counts as `faq`), one over the
answers. Why (docs/nlu.md has the measurements):

- The same data gives the same model on every machine. A convex problem
  solved to a tight tolerance has one optimum, so the few last-bit
  differences between CPUs (BLAS and libm kernels) cannot move a prediction,
  whereas TensorFlow's training path depends on the kernels it picks.
- Training takes seconds instead of minutes.
- Short FAQ questions are classified as well by a bag of word and character
  features as by the neural models.

It counts the words and character n-grams itself, with scikit-learn's
CountVectorizer, instead of taking them from Rasa's CountVectorsFeaturizer:
the features are the same (the featurizer's sentence features: lemmas,
lowercased, numbers as __NUMBER__), but Rasa's featurizer also builds a
per-token matrix for every message that only DIET reads, which took about
20 of a cold training's seconds.

The fitted model is stored as plain arrays (vocabularies as JSON, weights as
NumPy arrays loaded without pickle): a model file can come from the model
server, and loading it must never run code. skops did this too, but its
import alone cost about 10 s of every training and every server start.

The output keeps Rasa's contract, so rules, the NLG and the evaluation do
not change: `intent` and `intent_ranking` as DIET wrote them, and the
`response_selector` property with the answer ranking, in the shape Rasa's
ResponseSelector writes and `utter_faq` reads.
"""
from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Type

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
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
    TOKENS_NAMES,
)
from rasa.nlu.tokenizers.tokenizer import Tokenizer
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
VOCABULARIES_FILE = "vocabularies.json"
# The two kinds of features, in the order their columns are stacked.
FEATURE_KINDS = ("words", "chars")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class IntentAndAnswerClassifier(IntentClassifier, GraphComponent):
    """Predicts the intent and, for `faq`, which curated answer."""

    @classmethod
    def required_components(cls) -> List[Type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Character n-grams inside word boundaries catch typos and word
            # forms the lemmatiser misses; n-grams seen in one example only
            # are noise, and the 12,000 most frequent are plenty.
            "char_min_ngram": 2,
            "char_max_ngram": 4,
            "char_min_df": 2,
            "char_max_features": 12000,
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
                 resource: Resource, vectorizers: Optional[Dict[str, CountVectorizer]] = None,
                 models: Optional[Dict[str, Pipeline]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        # "words" and "chars": fitted CountVectorizers.
        self.vectorizers = vectorizers or {}
        # "intents" over base intents, "answers" over faq/<id> labels.
        self.models = models or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext
               ) -> "IntentAndAnswerClassifier":
        return cls(config, model_storage, resource)

    def _new_vectorizers(self, vocabularies: Optional[Dict[str, Dict[str, int]]] = None
                         ) -> Dict[str, CountVectorizer]:
        """As Rasa's CountVectorsFeaturizer configures scikit-learn's."""
        vocabularies = vocabularies or {}
        return {
            "words": CountVectorizer(token_pattern=r"(?u)\b\w+\b",
                                     vocabulary=vocabularies.get("words")),
            "chars": CountVectorizer(
                analyzer="char_wb",
                ngram_range=(self.config["char_min_ngram"], self.config["char_max_ngram"]),
                min_df=self.config["char_min_df"], max_features=self.config["char_max_features"],
                vocabulary=vocabularies.get("chars")),
        }

    def _new_model(self, class_weight: Optional[str]) -> Pipeline:
        return Pipeline([
            # Rare words and character n-grams carry the topic; sublinear
            # counts keep a long message from drowning in repeated words.
            ("tfidf", TfidfTransformer(sublinear_tf=True)),
            ("classifier", LogisticRegression(
                C=self.config["C"], tol=self.config["tol"], max_iter=self.config["max_iter"],
                solver=self.config["solver"], class_weight=class_weight, random_state=0)),
        ])

    def features(self, messages: List[Message]) -> csr_matrix:
        """Word and character n-gram counts of each message, side by side."""
        texts = [feature_text(m) for m in messages]
        return hstack([self.vectorizers[kind].transform(texts) for kind in FEATURE_KINDS]).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if not examples:
            return self._resource
        # The vocabulary comes from every example with text, as Rasa's
        # featurizer built it.
        texts = [feature_text(m) for m in training_data.training_examples if m.get(TEXT)]
        self.vectorizers = self._new_vectorizers()
        for vectorizer in self.vectorizers.values():
            vectorizer.fit(texts)
        features = self.features(examples)
        self.models = {"intents": self._new_model(self.config["intent_class_weight"]).fit(
            features, [e.get(INTENT) for e in examples])}
        answers = [i for i, e in enumerate(examples)
                   if e.get(INTENT) == self.config["retrieval_intent"] and e.get(INTENT_RESPONSE_KEY)]
        if answers:
            self.models["answers"] = self._new_model(self.config["answer_class_weight"]).fit(
                features[answers], [examples[i].get(INTENT_RESPONSE_KEY) for i in answers])
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if "intents" not in self.models:
            return messages
        features = self.features(messages)
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
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARIES_FILE).write_text(json.dumps(
                {kind: {term: int(i) for term, i in v.vocabulary_.items()}
                 for kind, v in self.vectorizers.items()}, sort_keys=True))
            for name, model in self.models.items():
                save_model(model, directory / f"{name}.npz")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any
             ) -> "IntentAndAnswerClassifier":
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                vocabularies = json.loads((directory / VOCABULARIES_FILE).read_text())
                component.vectorizers = component._new_vectorizers(vocabularies)
                for path in sorted(directory.glob("*.npz")):
                    component.models[path.stem] = component.load_model(path)
        except (ValueError, FileNotFoundError):
            # A model trained before this format (or by no training at all):
            # `make train` rebuilds it, since this file is one of its inputs.
            logger.error("No usable trained intent classifier in this model; retrain it.")
            component.models = {}
        return component

    def load_model(self, path: Path) -> Pipeline:
        """A fitted pipeline rebuilt from its arrays (see save_model)."""
        with np.load(path, allow_pickle=False) as arrays:
            model = self._new_model(None)
            tfidf, classifier = model.named_steps["tfidf"], model.named_steps["classifier"]
            tfidf.idf_ = arrays["idf"]
            classifier.classes_ = arrays["classes"]
            classifier.coef_ = arrays["coef"]
            classifier.intercept_ = arrays["intercept"]
            classifier.n_features_in_ = tfidf.n_features_in_ = arrays["coef"].shape[1]
        return model


def save_model(model: Pipeline, path: Path) -> None:
    """The learned arrays of a fitted tf-idf + logistic regression pipeline.

    Only what predict_proba reads; class weights and solver settings only
    matter while fitting.
    """
    tfidf, classifier = model.named_steps["tfidf"], model.named_steps["classifier"]
    with open(path, "wb") as handle:
        np.savez(handle, idf=tfidf.idf_, classes=np.asarray(classifier.classes_, dtype=str),
                 coef=classifier.coef_, intercept=classifier.intercept_)


def feature_text(message: Message) -> str:
    """The message as the vectorizers read it: lemmas, lowercased, numbers as one token.

    The same text Rasa's CountVectorsFeaturizer (use_lemma) made for its
    sentence features, so the features did not change with the move.
    """
    lemmas = [token.lemma for token in message.get(TOKENS_NAMES[TEXT]) or []]
    return " ".join(re.sub(r"\b[0-9]+\b", "__NUMBER__", lemma).lower() for lemma in lemmas)


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
