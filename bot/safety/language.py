"""Which language a visitor writes in, for the safety replies.

988 answers in Spanish (press 2, or text AYUDA), so a Spanish-speaking
visitor in crisis gets the crisis reply in Spanish. Detection is lingua's,
with the models preloaded at model load, not in a visitor's turn.
"""
from __future__ import annotations

import functools
import re

ENGLISH, SPANISH = "en", "es"
# Replies exist in these languages; anything else is answered in English.
REPLY_LANGUAGES = (ENGLISH, SPANISH)
# Short Spanish messages ("me quiero morir") are too short for a statistical
# guess; these words are Spanish and not English.
_SPANISH_WORDS = re.compile(
    r"\b(quiero|morir|morirme|matarme|matar|vivir|ayuda|ayudame|ayúdame|pastillas|hermano|hermana|"
    r"mamá|mama|papá|esposo|esposa|hijo|hija|puedo|tengo|estoy|cuánto|cuanto|cuesta|qué|"
    r"cómo|como funciona|por favor|gracias|hola|no puedo|respirar|pecho|dolor|sangre|suicidio|"
    r"suicidarme|nadie|nunca|ya no|necesito|tratamiento|señora|doctor|médico)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@functools.lru_cache(maxsize=1)
def detector():
    from lingua import Language, LanguageDetectorBuilder

    # English and the Latin-script languages most often spoken at home in the
    # US; other scripts are recognised without a model. Each language's model
    # costs memory in every Rasa worker (about 25 MB), so the list is short.
    languages = [
        Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.GERMAN,
        Language.PORTUGUESE, Language.ITALIAN, Language.VIETNAMESE, Language.TAGALOG,
    ]
    # Loaded up front: lazily, the first message to need them would stall
    # every visitor on the server's event loop for about 2 s.
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def warm_up() -> None:
    """Load the language models now (at model load), not inside a visitor's turn."""
    detector()


def confidences(text: str) -> dict[str, float]:
    """lingua's confidence per language name (ENGLISH, SPANISH, ...)."""
    return {v.language.name: float(v.value) for v in detector().compute_language_confidence_values(text)}


def detect_language(text: str) -> str:
    """"es" for Spanish, else "en" (the reply languages we have)."""
    words = _WORD.findall(text or "")
    if not words:
        return ENGLISH
    spanish_hits = len(_SPANISH_WORDS.findall(text))
    values = confidences(text)
    spanish, english = values.get("SPANISH", 0.0), values.get("ENGLISH", 0.0)
    top = max(values, key=values.get) if values else ""
    # lingua spreads its confidence over related languages (Spanish,
    # Portuguese, Italian); Spanish first and clearly ahead of English is
    # enough: "Voy a quitarme la vida esta noche" is 0.45 Spanish.
    if top == "SPANISH" and (spanish - english >= 0.2 or spanish_hits >= 1):
        return SPANISH
    if spanish > english and (spanish >= 0.5 or spanish_hits >= 1):
        return SPANISH
    if spanish_hits >= 2 and spanish_hits * 2 >= len(words) * 0.5:
        return SPANISH
    return ENGLISH
