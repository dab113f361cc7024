"""First component of the NLU pipeline: keep the raw message, clean what the
classifier sees.

The raw text is kept for the safety net (a crisis sentence at the end of a
5,000-character message must still be found), while the classifier gets the
visible words only, capped in length, so markup and huge pastes cannot crash
or slow it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safety.input_check import input_problem, text_for_nlu
from bot.safety.language import warm_up

RAW_TEXT = "raw_text"
INPUT_PROBLEM = "input_problem"
# A placeholder the tokenizers accept; the safety net answers these messages.
EMPTY_PLACEHOLDER = "empty"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class InputGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        warm_up()
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            raw = message.get(TEXT) or ""
            message.set(RAW_TEXT, raw)
            message.set(INPUT_PROBLEM, input_problem(raw))
            message.data[TEXT] = text_for_nlu(raw) or EMPTY_PLACEHOLDER
        return messages
