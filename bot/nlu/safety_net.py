"""Last component of the NLU pipeline: the deterministic safety decisions.

It runs on every message after the ML classifiers and can override them, in
this order of precedence:

1. crisis: the crisis patterns match the raw text, or the ML crisis intent is
   the classifier's best guess (unless the patterns saw only a negated crisis
   statement such as "I'm not suicidal")                 -> "crisis"
   (a weaker ML crisis guess asks to rephrase and gives 988/911)
2. unreadable input (empty, emoji, markup, other language) -> "out_of_scope"
3. a request for ketamine outside medical care            -> "illegal_request"
4. a question about the visitor's own care                -> "personal_question"
5. a general question: answered only when the answers of the best-matching
   topic together hold enough of the response selector's confidence;
   otherwise the visitor is asked to rephrase             -> "nlu_fallback"

What it decided and why is added to the parse result under "safety", for the
logs, the evaluation and the staff console.
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

from bot.content import ContentStore
from bot.nlu.input_guard import INPUT_PROBLEM, RAW_TEXT
from bot.safety.crisis import default_detector as crisis_detector
from bot.safety.rulesets import illegal_rules, personal_rules
from bot.settings import get_settings

logger = logging.getLogger(__name__)

CRISIS, PERSONAL, ILLEGAL = "crisis", "personal_question", "illegal_request"
OUT_OF_SCOPE, FAQ, FALLBACK = "out_of_scope", "faq", DEFAULT_NLU_FALLBACK_INTENT_NAME
# Intents the personal rules never override: they already reach a person or
# a refusal.
NOT_OVERRIDDEN_BY_PERSONAL = {CRISIS, "request_human", PERSONAL, ILLEGAL}
SAFETY = "safety"
POSSIBLE_CRISIS = "possible_crisis"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class SafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Share of the response selector's confidence that the best
            # topic's answers must hold for a general question to be answered.
            "answer_threshold": 0.2,
            # When the intent classifier is unsure (fallback, or "out of
            # scope" below out_of_scope_doubt), a question is still answered
            # if the answer side is this sure of its topic.
            "rescue_threshold": 0.6,
            "out_of_scope_doubt": 0.8,
            # The ML crisis intent is the second net behind the patterns: as
            # the classifier's best guess it is a crisis from this confidence;
            # below it, but above possible_crisis_threshold, the visitor is
            # asked to rephrase and given 988 and 911 in the same message.
            "ml_crisis_threshold": 0.5,
            "possible_crisis_threshold": 0.3,
            "retrieval_intent": FAQ,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config
        self.content = ContentStore(get_settings().content_dir, check_interval=30.0)
        # Load the pipelines now, not on the first visitor's message.
        crisis_detector()
        personal_rules()
        illegal_rules()

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
            message.set(SAFETY, self._decide(message), add_to_output=True)
        return messages

    def _decide(self, message: Message) -> Dict[str, Any]:
        raw = message.get(RAW_TEXT) or message.get(TEXT) or ""
        text = message.get(TEXT) or ""
        ml_intent = _intent_name(message)
        decision: Dict[str, Any] = {"ml_intent": ml_intent}

        scan = crisis_detector().scan(raw)
        # A statement the patterns saw negated ("I'm not suicidal, just
        # curious") is not a crisis, whatever the ML intent makes of the word.
        only_negated = bool(scan.negated) and not scan.matches
        ml_crisis = 0.0 if only_negated else self._ml_crisis_confidence(message)
        ml_says_crisis = ml_crisis >= self.config["ml_crisis_threshold"]
        if scan.matches or ml_says_crisis:
            decision.update(crisis_rules=sorted({m.group for m in scan.matches}),
                            ml_crisis_confidence=round(ml_crisis, 3))
            return _decided(message, decision, CRISIS)

        if ml_crisis >= self.config["possible_crisis_threshold"]:
            decision["ml_crisis_confidence"] = round(ml_crisis, 3)
            message.set(ENTITIES, [_entity(INPUT_PROBLEM, POSSIBLE_CRISIS)], add_to_output=True)
            return _decided(message, decision, FALLBACK, ml_crisis)

        problem = message.get(INPUT_PROBLEM)
        if problem:
            message.set(ENTITIES, [_entity(INPUT_PROBLEM, problem)], add_to_output=True)
            decision["input_problem"] = problem
            return _decided(message, decision, OUT_OF_SCOPE)

        illegal = illegal_rules().reasons(text)
        if illegal:
            decision["illegal_rules"] = illegal
            return _decided(message, decision, ILLEGAL)

        if ml_intent not in NOT_OVERRIDDEN_BY_PERSONAL:
            personal = personal_rules().reasons(text)
            if personal:
                decision["personal_rules"] = personal
                return _decided(message, decision, PERSONAL)

        if ml_intent in (FAQ, FALLBACK, OUT_OF_SCOPE):
            confidence = self._topic_confidence(message)
            decision["answer_confidence"] = round(confidence, 3)
            if ml_intent == FAQ and confidence < self.config["answer_threshold"]:
                return _decided(message, decision, FALLBACK, self.config["answer_threshold"])
            if self._intent_unsure(message, ml_intent) and confidence >= self.config["rescue_threshold"]:
                return _decided(message, decision, FAQ, confidence)
        decision["intent"] = ml_intent
        return decision

    def _intent_unsure(self, message: Message, ml_intent: Optional[str]) -> bool:
        if ml_intent == FALLBACK:
            return True
        confidence = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return ml_intent == OUT_OF_SCOPE and confidence < self.config["out_of_scope_doubt"]

    @staticmethod
    def _ml_crisis_confidence(message: Message) -> float:
        """The crisis intent's confidence if it is the classifier's best guess."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
                   if r.get(INTENT_NAME_KEY) != FALLBACK]
        if ranking and ranking[0].get(INTENT_NAME_KEY) == CRISIS:
            return float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return 0.0

    def _topic_confidence(self, message: Message) -> float:
        """Summed confidence of the ranked answers that share the best answer's topic.

        Neighbouring answers in one topic split the selector's confidence
        between them ("how long do side effects last" vs "what are the side
        effects"); what matters for answering is that the topic is clear.
        """
        selector = (message.get("response_selector") or {}).get(self.config["retrieval_intent"])
        ranking = (selector or {}).get("ranking") or []
        if not ranking:
            return 0.0
        answers = self.content.library().answers
        topics = [_topic_of(answers, entry.get("intent_response_key")) for entry in ranking]
        best = topics[0]
        return sum(float(e.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                   for e, topic in zip(ranking, topics) if topic == best)


def _intent_name(message: Message) -> Optional[str]:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)


def _topic_of(answers: Dict[str, Any], key: Optional[str]) -> Optional[str]:
    answer = answers.get((key or "").split("/", 1)[-1])
    return answer.topic if answer is not None else key


def _decided(message: Message, decision: Dict[str, Any], name: str,
             confidence: float = 1.0) -> Dict[str, Any]:
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, intent, add_to_output=True)
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
    decision["intent"] = name
    return decision


def _entity(name: str, value: str) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 0, "extractor": "SafetyNet"}
