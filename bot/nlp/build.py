"""Build the spaCy pipeline Rasa and the safety net load, with no download.

The pipeline is a blank English tokenizer, spaCy's lookup lemmatizer (tables
from spacy-lookups-data, copied into the pipeline at build time), an
attribute ruler that gives every medicine name the lemma "medication", and an
entity ruler that tags MEDICATION, CONDITION and SYMPTOM spans from the
lexicon files. It is rebuilt only when its inputs change.
"""
from __future__ import annotations

import fcntl
import hashlib
import shutil
import sys
from pathlib import Path

import spacy
from spacy.language import Language

LEXICON_DIR = Path(__file__).parent / "lexicon"
LEXICONS = {
    "MEDICATION": "medications.txt",
    "CONDITION": "conditions.txt",
    "SYMPTOM": "symptoms.txt",
}
MEDICATION_LEMMA = "medication"
FINGERPRINT_FILE = "fingerprint.txt"


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
    digest = hashlib.sha256(spacy.__version__.encode())
    for path in sorted(LEXICON_DIR.glob("*.txt")) + [Path(__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(out_dir: Path, force: bool = False) -> bool:
    """Build into out_dir unless an identical build is already there."""
    marker = out_dir / FINGERPRINT_FILE
    wanted = fingerprint()
    if not force and marker.exists() and marker.read_text().strip() == wanted:
        return False
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # Several processes may start at once (servers, tests); one builds.
    with open(out_dir.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and marker.exists() and marker.read_text().strip() == wanted:
            return False
        if out_dir.exists():
            shutil.rmtree(out_dir)
        create_pipeline().to_disk(out_dir)
        marker.write_text(wanted + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    from bot.settings import get_settings

    out_dir = get_settings().spacy_model_dir
    built = build(out_dir, force="--force" in (argv or sys.argv[1:]))
    print(f"spaCy pipeline {'built' if built else 'up to date'}: {out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
