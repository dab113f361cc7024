"""After a curated answer, wait for the visitor.

At run time Rasa records a curated answer as the action `utter_faq`, which
the rules cover. When it replays test stories it records the full name,
`utter_faq/<answer id>`, which no rule can list for every answer; this policy
makes both cases behave the same, so test stories can name the exact answer.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content.model import ANSWER_RESPONSE_PREFIX
from bot.dialogue.fixed_policy import FixedPolicy


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class CuratedAnswerPolicy(FixedPolicy):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": 5}  # above RulePolicy's fallback (4), below safety (6)

    def next_action(self, tracker: DialogueStateTracker) -> Tuple[Optional[str], List[Any]]:
        if (tracker.latest_action_name or "").startswith(ANSWER_RESPONSE_PREFIX):
            return ACTION_LISTEN_NAME, []
        return None, []
