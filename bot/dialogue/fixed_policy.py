"""Base for policies whose behaviour is fixed by design, not learned."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker


class FixedPolicy(Policy):
    """Predicts what `next_action` says, with full confidence, or nothing."""

    # A "no user" prediction outranks RulePolicy's form predictions; set it
    # only where the behaviour must win in any conversation state.
    overrides_forms = False

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_AND_RULE_DATA

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        # Nothing to learn; an empty resource lets Rasa load it like any policy.
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource

    def next_action(self, tracker: DialogueStateTracker) -> Tuple[Optional[str], List[Any]]:
        raise NotImplementedError

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        action, events = self.next_action(tracker)
        probabilities = self._default_predictions(domain)
        if action is None or action not in domain.action_names_or_texts:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(action)] = 1.0
        return self._prediction(probabilities, events=events,
                                is_no_user_prediction=self.overrides_forms)
