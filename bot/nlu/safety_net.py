"""Last component of the NLU pipeline: the deterministic safety decisions.

It runs on every message after the ML classifiers and can override them, in
this order of precedence:

1. crisis language (bot.safety.crisis)          -> intent "crisis"
2. unreadable input (empty, emoji, markup, other language)
                                                  -> "out_of_scope" + input_problem
3. a question about the visitor's own care (bot.safety.personal)
                                                  -> "personal_question"
4. a general question whose best answer is a weak match
                                                  -> "nlu_fallback"

What it decided and why is added to the parse result under "safety", so the
evaluation, the logs and the staff console can see it.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.input_guard import INPUT_PROBLEM, RAW_TEXT
from bot.safety.crisis import default_detector as crisis_detector
from bot.safety.personal import default_detector as personal_detector

logger = logging.getLogger(__name__)

CRISIS, PERSONAL, OUT_OF_SCOPE, FAQ = "crisis", "personal_question", "out_of_scope", "faq"
NOT_OVERRIDDEN_BY_PERSONAL = {CRISIS, "request_human", PERSONAL, "illegal_request"}
SAFETY = "safety"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class SafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Below this response-selector confidence a general question is
            # not answered; the visitor is asked to rephrase.
            "answer_threshold": 0.3,
            # The ML crisis intent is a second net behind the rules: it
            # counts even at modest confidence.
            "ml_crisis_threshold": 0.35,
            "retrieval_intent": FAQ,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config
        # Load the pipelines now, not on the first visitor's message.
        crisis_detector()
        personal_detector()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._decide(message)
        return messages

    def _decide(self, message: Message) -> None:
        raw = message.get(RAW_TEXT) or message.get(TEXT) or ""
        ml_intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        decision: Dict[str, Any] = {"ml_intent": ml_intent}

        crisis = crisis_detector().find(raw)
        ml_crisis = self._ml_crisis_confidence(message)
        problem = message.get(INPUT_PROBLEM)
        if crisis or ml_crisis >= self.config["ml_crisis_threshold"]:
            decision["crisis_rules"] = sorted({m.group for m in crisis})
            decision["ml_crisis_confidence"] = round(ml_crisis, 3)
            _set_intent(message, CRISIS)
        elif problem:
            decision["input_problem"] = problem
            _set_intent(message, OUT_OF_SCOPE)
            message.set(ENTITIES, [_problem_entity(problem)], add_to_output=True)
        else:
            personal = (
                personal_detector().reasons(message.get(TEXT) or "")
                if ml_intent not in NOT_OVERRIDDEN_BY_PERSONAL
                else []
            )
            if personal:
                decision["personal_rules"] = personal
                _set_intent(message, PERSONAL)
            elif ml_intent == FAQ:
                confidence = self._answer_confidence(message)
                decision["answer_confidence"] = round(confidence, 3)
                if confidence < self.config["answer_threshold"]:
                    _set_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME,
                                self.config["answer_threshold"])
        decision["intent"] = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        message.set(SAFETY, decision, add_to_output=True)

    @staticmethod
    def _ml_crisis_confidence(message: Message) -> float:
        for entry in message.get(INTENT_RANKING_KEY) or []:
            if entry.get(INTENT_NAME_KEY) == CRISIS:
                return float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return 0.0

    def _answer_confidence(self, message: Message) -> float:
        selector = (message.get("response_selector") or {}).get(self.config["retrieval_intent"])
        if not selector:
            return 0.0
        return float(selector.get("response", {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)


def _set_intent(message: Message, name: str, confidence: float = 1.0) -> None:
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, intent, add_to_output=True)
    ranking: List[Dict[str, Any]] = [
        r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != name
    ]
    message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)


def _problem_entity(problem: str) -> Dict[str, Any]:
    return {"entity": INPUT_PROBLEM, "value": problem, "start": 0, "end": 0,
            "extractor": "InputGuard"}
