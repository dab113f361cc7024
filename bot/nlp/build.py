"""Build the spaCy pipeline Rasa and the safety net load, with no download.

The pipeline is a blank English tokenizer, spaCy's lookup lemmatizer (tables
from spacy-lookups-data, copied into the pipeline at build time), an
attribute ruler that gives every medicine name the lemma "medication", and an
entity ruler that tags MEDICATION, CONDITION and SYMPTOM spans from the
lexicon files. It is rebuilt only when its inputs change.
"""
from __future__ import annotations

import sys
from pathlib import Path

import spacy
from spacy.language import Language

from bot import artefacts

LEXICON_DIR = Path(__file__).parent / "lexicon"
LEXICONS = {
    "MEDICATION": "medications.txt",
    "CONDITION": "conditions.txt",
    "SYMPTOM": "symptoms.txt",
}
MEDICATION_LEMMA = "medication"


def read_lexicon(name: str) -> list[str]:
    lines = (LEXICON_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]


def create_pipeline() -> Language:
    """A fresh, initialised pipeline (not yet saved)."""
    nlp = spacy.blank("en")
    attribute_ruler = nlp.add_pipe("attribute_ruler")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup", "overwrite": False})
    entity_ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    # Initialise first: it clears rulers, and phrase patterns are run through
    # the lemmatizer, which needs its lookup tables loaded.
    nlp.initialize()
    for term in read_lexicon(LEXICONS["MEDICATION"]):
        # Ketamine itself stays distinct: it is what visitors ask about.
        if " " not in term and term not in ("ketamine", "esketamine", "spravato"):
            attribute_ruler.add(patterns=[[{"LOWER": term}]], attrs={"LEMMA": MEDICATION_LEMMA})
    entity_ruler.add_patterns(
        [
            {"label": label, "pattern": term}
            for label, file in LEXICONS.items()
            for term in read_lexicon(file)
        ]
    )
    return nlp


def fingerprint() -> str:
    return artefacts.fingerprint(sorted(LEXICON_DIR.glob("*.txt")) + [Path(__file__)], spacy.__version__)


def build(out_dir: Path, force: bool = False) -> bool:
    """Build into out_dir unless an identical build is already there."""
    return artefacts.build_if_changed(out_dir, fingerprint(),
                                      lambda folder: create_pipeline().to_disk(folder), force)


def main(argv: list[str] | None = None) -> int:
    from bot.settings import get_settings

    out_dir = get_settings().spacy_model_dir
    built = build(out_dir, force="--force" in (argv or sys.argv[1:]))
    print(f"spaCy pipeline {'built' if built else 'up to date'}: {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
