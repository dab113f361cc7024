"""One shared spaCy pipeline for every safety check in a process."""
from __future__ import annotations

import functools
import logging

import spacy
from spacy.language import Language

from bot.settings import get_settings

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def safety_nlp() -> Language:
    """The project's pipeline, built on first use if `make` has not built it yet.

    The safety net must work in every process that imports it (Rasa server,
    evaluation, tests), so it never depends on Rasa having loaded spaCy first.
    """
    from bot.nlp.build import build

    path = get_settings().spacy_model_dir
    build(path)
    return spacy.load(path)
