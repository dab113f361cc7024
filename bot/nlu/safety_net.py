"""Last component of the NLU pipeline: the safety decision for every message.

It gathers what each safety layer sees in the raw message (lemma patterns,
the risk classifier, the harm gate, the personal and illegal rule sets, the
language) and what the intent model found, makes the one `SafetyDecision`
(bot/safety/decision.py) and stores it on the message under `safety`, where
the safety policy, the NLG and the evaluation read it.

The intent it leaves on the message is a projection of that decision, for
Rasa's rules and story tests: `crisis` for crisis and emergency,
`nlu_fallback` for a possible-risk check-in or distress, `illegal_request`,
`personal_question`, `out_of_scope` for unreadable input. For everything
else it applies the answer-quality rules: a general question is answered
only when the best topic holds enough of the answer ranking's confidence.
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import asdict
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.content import ContentStore
from bot.nlu.input_guard import INPUT_PROBLEM, RAW_TEXT
from bot.safety import decision as safety
from bot.safety.check_in_contexts import check_in_context, stands_over_patterns
from bot.safety.crisis import default_detector as crisis_detector
from bot.safety.harm_gate import about_a_person, default_gate, has_dose_figures, is_question
from bot.safety.history import only_history
from bot.safety.input_check import strip_markup
from bot.safety.language import detect_language
from bot.safety.normalise import normalise
from bot.safety.risk_model import RiskModel, RiskModelSettings
from bot.safety.rulesets import illegal_rules, personal_rules
from bot.safety.safety_statement import PLAIN, WITH_MORE, default_statements
from bot.settings import get_settings

logger = logging.getLogger(__name__)

CRISIS, PERSONAL, ILLEGAL = "crisis", "personal_question", "illegal_request"
OUT_OF_SCOPE, FAQ, FALLBACK = "out_of_scope", "faq", DEFAULT_NLU_FALLBACK_INTENT_NAME
# The intent each safety kind leaves on the message (see the module docstring).
RISK_MODEL_FILE = "risk_model.joblib"
PROJECTED_INTENT = {
    safety.CRISIS: CRISIS,
    safety.EMERGENCY: CRISIS,
    safety.POSSIBLE_RISK: FALLBACK,
    safety.DISTRESS: FALLBACK,
    safety.ILLEGAL: ILLEGAL,
    safety.PERSONAL: PERSONAL,
}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class SafetyNet(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Share of the answer ranking's confidence that the best topic's
            # answers must hold for a general question to be answered.
            "answer_threshold": 0.2,
            # When the intent classifier is unsure (fallback, or "out of
            # scope" below out_of_scope_doubt), a question is still answered
            # if the answer side is this sure of its topic.
            "rescue_threshold": 0.6,
            "out_of_scope_doubt": 0.8,
            "retrieval_intent": FAQ,
            # The safety thresholds: bot.safety.decision.Thresholds.
            **asdict(safety.Thresholds()),
            # How the risk classifier is trained: bot.safety.risk_model.
            "risk_model_c": RiskModelSettings.c,
            "risk_model_class_weight": None,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 risk_model: Optional[RiskModel] = None) -> None:
        self.config = config
        self.thresholds = safety.Thresholds.from_mapping(config)
        self._model_storage = model_storage
        self._resource = resource
        self.risk_model = risk_model
        self.content = ContentStore(get_settings().content_dir, check_interval=30.0)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Put the risk classifier into the model.

        It is built (or found up to date) by bot.safety.build from the risk
        examples and the NLU data, and copied into the model, so a published
        or rolled-back model always runs with the risk classifier it was
        evaluated with.
        """
        from bot.safety.build import build_risk_model

        built = build_risk_model(RiskModelSettings.from_config(self.config))
        with self._model_storage.write_to(self._resource) as directory:
            shutil.copyfile(built, directory / RISK_MODEL_FILE)
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyNet":
        with model_storage.read_from(resource) as directory:
            risk_model = RiskModel.load(directory / RISK_MODEL_FILE)
        net = cls({**cls.get_default_config(), **config}, model_storage, resource, risk_model)
        # Load everything now, not in the first visitor's turn.
        crisis_detector()
        personal_rules()
        illegal_rules()
        default_gate()
        default_statements()
        return net

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            signals, decision = self._decide(message)
            message.set(safety.PARSE_DATA_KEY, decision.as_dict(), add_to_output=True)
            if signals.input_problem:
                message.set(INPUT_PROBLEM, signals.input_problem, add_to_output=True)
            intent = self._intent_for(message, decision, signals)
            if intent is not None:
                _set_intent(message, *intent)
            logger.debug("Safety decision: %s (%s)", decision.kind, decision.reason)
        return messages

    def _decide(self, message: Message) -> tuple[safety.Signals, safety.SafetyDecision]:
        """The decision; if any layer fails, the patterns alone, else a check-in.

        An error in a library must never leave a visitor without an answer,
        least of all one in crisis.
        """
        try:
            signals = self.signals(message)
            return signals, safety.decide(signals, self.thresholds)
        except Exception:  # noqa: BLE001  fail safe, and tell staff in the log
            logger.exception("Safety layers failed; deciding on the patterns alone")
        try:
            scan = crisis_detector().scan(message.get(RAW_TEXT) or message.get(TEXT) or "")
            signals = safety.Signals(pattern_matches=tuple((m.group, m.kind) for m in scan.matches))
            if signals.pattern_matches:
                return signals, safety.decide(signals, self.thresholds)
        except Exception:  # noqa: BLE001
            logger.exception("Crisis patterns failed too")
            signals = safety.Signals()
        return signals, safety.SafetyDecision(safety.POSSIBLE_RISK, "safety layers failed: check in")

    def signals(self, message: Message) -> safety.Signals:
        """What every layer saw in this message."""
        raw = message.get(RAW_TEXT) or message.get(TEXT) or ""
        visible = " ".join(strip_markup(raw).split())
        language = detect_language(visible)
        scan = crisis_detector().scan(visible, language)
        normalised = normalise(visible, language)
        ml_intent = _intent_name(message)
        answer_id, answer_confidence = self._best_answer(message)
        answer = self.content.library().approved(answer_id) if answer_id else None
        risk, risk_at_peak = self.risk_model.scores(visible, language) if visible and self.risk_model \
            else ({}, {})
        harm_terms = _outside(default_gate().harm_terms(normalised), scan.negated)
        question = is_question(visible)
        # Past history only changes the decision for a question (decide), so
        # statements skip the clause-by-clause rescan.
        past_history = question and self._only_history(
            visible, language, scan.matches, bool(scan.matches or harm_terms) or self._risky(risk))
        context = self._check_in_context(visible, language, scan.matches, self._risky(risk))
        statement = default_statements().kind(
            visible, lambda text: self._clause_is_risky(text, language),
            lambda text: bool(default_gate().harm_terms(normalise(text, language))))
        return safety.Signals(
            language=language,
            input_problem=message.get(INPUT_PROBLEM),
            pattern_matches=tuple((m.group, m.kind) for m in scan.matches),
            only_negated=bool(scan.negated) and not scan.matches,
            risk=risk,
            risk_at_peak=risk_at_peak,
            ml_crisis=_ml_crisis_confidence(message),
            ml_intent=ml_intent,
            harm_terms=harm_terms,
            is_question=question,
            past_history=past_history,
            about_a_person=about_a_person(normalised),
            check_in_context=context,
            check_in_over_patterns=stands_over_patterns(context, (m.group for m in scan.matches)),
            says_safe=statement == PLAIN,
            says_safe_with_more=statement == WITH_MORE,
            illegal_rules=tuple(illegal_rules().reasons(visible)),
            personal_rules=tuple(personal_rules().reasons(visible)),
            answer_id=answer_id,
            answer_confidence=answer_confidence,
            answer_has_dose=bool(answer and has_dose_figures(answer.text)),
        )

    def _risky(self, risk: Dict[str, float]) -> bool:
        return safety.risk_total(risk) >= self.thresholds.possible_risk_threshold

    def _clause_is_risky(self, clause: str, language: str) -> bool:
        """One clause on its own flagged by the patterns or the risk classifier."""
        if crisis_detector().scan(clause, language).matches:
            return True
        return bool(self.risk_model) and self._risky(self.risk_model.probabilities(clause, language))

    def _only_history(self, text: str, language: str, matches: List[Any], flagged: bool) -> bool:
        """All the risk in the message told as the distant past (bot.safety.history)."""
        if not flagged:
            return False
        return only_history(text, (m.group for m in matches),
                            lambda clause: self._clause_is_risky(clause, language))

    def _check_in_context(self, text: str, language: str, matches: List[Any],
                          flagged: bool) -> Optional[str]:
        """A context that may make a crisis a check-in (bot.safety.check_in_contexts)."""
        if not (matches or flagged):
            return None
        return check_in_context(text, lambda clause: self._clause_is_risky(clause, language),
                                tuple(m.group for m in matches))

    def _intent_for(self, message: Message, decision: safety.SafetyDecision,
                    signals: safety.Signals) -> Optional[tuple[str, float]]:
        """The intent to leave on the message, or None to keep the model's."""
        if decision.kind in PROJECTED_INTENT:
            return PROJECTED_INTENT[decision.kind], 1.0
        if signals.input_problem:
            return OUT_OF_SCOPE, 1.0
        ml_intent = signals.ml_intent
        if ml_intent == CRISIS:
            # The intent model alone, below its threshold: only the decision
            # makes a crisis (the policy reads the decision, not the intent).
            return FALLBACK, 1.0
        if ml_intent not in (FAQ, FALLBACK, OUT_OF_SCOPE):
            return None
        confidence = signals.answer_confidence
        if ml_intent == FAQ and confidence < self.config["answer_threshold"]:
            return FALLBACK, self.config["answer_threshold"]
        if self._intent_unsure(message, ml_intent) and confidence >= self.config["rescue_threshold"]:
            return FAQ, confidence
        return None

    def _intent_unsure(self, message: Message, ml_intent: Optional[str]) -> bool:
        if ml_intent == FALLBACK:
            return True
        confidence = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        return ml_intent == OUT_OF_SCOPE and confidence < self.config["out_of_scope_doubt"]

    def _best_answer(self, message: Message) -> tuple[Optional[str], float]:
        """The best curated answer and the summed confidence of its topic.

        Neighbouring answers in one topic split the confidence between them
        ("how long do side effects last" vs "what are the side effects");
        what matters for answering is that the topic is clear.
        """
        selector = (message.get("response_selector") or {}).get(self.config["retrieval_intent"])
        ranking = (selector or {}).get("ranking") or []
        if not ranking:
            return None, 0.0
        answers = self.content.library().answers
        keys = [str(entry.get("intent_response_key") or "") for entry in ranking]
        ids = [key.split("/", 1)[-1] for key in keys]
        topics = [answers[i].topic if i in answers else i for i in ids]
        confidence = sum(float(e.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
                         for e, topic in zip(ranking, topics) if topic == topics[0])
        return ids[0], confidence


def _outside(terms: tuple[str, ...], negated: List[Any]) -> tuple[str, ...]:
    """Harm words that are not part of a statement the patterns saw negated.

    "I'm not suicidal, just curious how it works" is a question, not a
    mention of suicide that needs a check-in.
    """
    cancelled = " ".join(m.text for m in negated)
    return tuple(t for t in terms if t not in cancelled)


def _intent_name(message: Message) -> Optional[str]:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)


def _ml_crisis_confidence(message: Message) -> float:
    """The crisis intent's confidence if it is the intent model's best guess."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or []
               if r.get(INTENT_NAME_KEY) != FALLBACK]
    if ranking and ranking[0].get(INTENT_NAME_KEY) == CRISIS:
        return float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    return 0.0


def _set_intent(message: Message, name: str, confidence: float) -> None:
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, intent, add_to_output=True)
    ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
