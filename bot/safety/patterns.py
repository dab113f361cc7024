"""Turn the small pattern language of crisis_patterns.yml into spaCy patterns.

Pattern words are lemmatised with the same pipeline that reads messages, so a
pattern written as "killing" matches "kill", "killed" and "kills" without the
author listing every form.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml
from spacy.language import Language

OPTIONAL_ANY = "."
GAP_ANY = "..."
GAP_LENGTH = 3
PARTS_KEY = "parts"


class PatternError(ValueError):
    """A pattern that cannot be compiled; names the group and the pattern."""


@dataclass(frozen=True)
class PatternGroup:
    name: str
    token_patterns: list[list[dict[str, Any]]] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    # Longer phrases in which a phrase is not a disclosure: "suicidio" inside
    # "la tasa de suicidio" is a research question (the other-language twin of
    # the research flag, which needs lemmas).
    phrase_exceptions: list[str] = field(default_factory=list)
    # Other languages' words where a phrase would be too broad: "si esto no
    # funciona, me mato" is a crisis, "me mato estudiando" an idiom; the
    # idiom is excluded in the expression itself. Searched like phrases.
    regexes: tuple[re.Pattern[str], ...] = ()
    negatable: bool = False
    hypothetical: bool = False
    personal: bool = False
    research: bool = False
    whole_message: bool = False
    # What a match means for the decision: "crisis", or "emergency" for
    # medical emergencies (the reply puts 911 first).
    kind: str = "crisis"


def lemma_of(nlp: Language, word: str) -> str:
    doc = nlp(word.lower())
    if len(doc) != 1:
        raise PatternError(f"'{word}' is {len(doc)} tokens ({[t.text for t in doc]})")
    return doc[0].lemma_


def compile_pattern(nlp: Language, pattern: str) -> list[dict[str, Any]]:
    """'kill|hurt myself?' -> [{"LEMMA": {"IN": [...]}}, {"LEMMA": ..., "OP": "?"}]."""
    tokens: list[dict[str, Any]] = []
    for word in pattern.split():
        if word == GAP_ANY:
            tokens.extend({"OP": "?"} for _ in range(GAP_LENGTH))
            continue
        if word == OPTIONAL_ANY:
            tokens.append({"OP": "?"})
            continue
        optional = word.endswith("?")
        alternatives = [a for a in word.rstrip("?").split("|") if a]
        spec: dict[str, Any]
        if all(a.startswith("=") for a in alternatives):
            spec = {"LOWER": {"IN": sorted(a[1:] for a in alternatives)}}
        elif any(a.startswith("=") for a in alternatives):
            raise PatternError(f"'{word}' mixes exact (=) and lemma alternatives")
        else:
            spec = {"LEMMA": {"IN": sorted({lemma_of(nlp, a) for a in alternatives})}}
        if optional:
            spec["OP"] = "?"
        tokens.append(spec)
    if not any(len(t) > 0 and t.get("OP") != "?" for t in tokens):
        raise PatternError(f"'{pattern}' has no required word")
    return tokens


def with_parts(text: str, parts: dict[str, str]) -> str:
    """The text with each <NAME> replaced by its shared part, parts within
    parts first: a word list or expression used by several patterns or cues
    is written once in its file's `parts:` (history_cues.yml's recent window,
    crisis_patterns.yml's medicines)."""
    for _ in range(len(parts) + 1):
        for name, expression in parts.items():
            text = text.replace(f"<{name}>", expression)
    if re.search(r"<[A-Z_]+>", text):
        raise PatternError(f"unknown part in {text!r}")
    return text


def load_groups(nlp: Language, path: Path) -> list[PatternGroup]:
    """Every group in a pattern file; a top-level `parts:` is not a group but
    the shared pieces its patterns name as <NAME> (with_parts)."""
    data = dict(yaml.safe_load(path.read_text(encoding="utf-8")))
    parts = data.pop(PARTS_KEY, None) or {}
    groups = []
    for name, spec in data.items():
        compiled = []
        for pattern in spec.get("patterns", []):
            try:
                compiled.append(compile_pattern(nlp, with_parts(str(pattern), parts)))
            except PatternError as error:
                raise PatternError(f"{path.name}: {name}: '{pattern}': {error}") from error
        groups.append(
            PatternGroup(
                name=name,
                token_patterns=compiled,
                phrases=[str(p).lower() for p in spec.get("phrases", [])],
                phrase_exceptions=[str(p).lower() for p in spec.get("phrase_exceptions", [])],
                regexes=compile_regexes(with_parts(str(r), parts) for r in spec.get("regexes") or []),
                negatable=bool(spec.get("negatable", False)),
                hypothetical=bool(spec.get("hypothetical", False)),
                personal=bool(spec.get("personal", False)),
                research=bool(spec.get("research", False)),
                whole_message=bool(spec.get("whole_message", False)),
                kind=str(spec.get("kind", "crisis")),
            )
        )
    return groups


def cue_lists(path: Path, *keys: str) -> tuple[tuple[re.Pattern[str], ...], ...]:
    """The compiled expressions under each key of a cue file, in the order
    asked for, with its `parts:` filled in (history_cues.yml,
    safety_statements.yml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    parts = data.get(PARTS_KEY) or {}
    return tuple(compile_regexes(with_parts(str(v), parts) for v in data.get(key) or []) for key in keys)


def compile_regexes(values: Optional[Iterable[str]]) -> tuple[re.Pattern[str], ...]:
    """Case-insensitive regular expressions for the cue files (history_cues.yml,
    check_in_contexts.yml): cues that need word order and optional words the
    lemma patterns above cannot say, like "ten years ago"."""
    return tuple(re.compile(v, re.IGNORECASE) for v in values or [])
