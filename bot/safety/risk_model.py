"""The risk classifier: crisis, emergency, distress or benign, for any wording.

It is separate from the FAQ intent model on purpose: it is trained on its own
large, varied set (data/safety/risk_examples/, thousands of phrasings in many
voices, first and third person, short and long, typos, Spanish), tuned for
recall, and judged by cross-validation and by blind case files, so changing
the FAQ data can never weaken it.

Model: a logistic regression over character n-grams (robust to typos and
slang the lexicons do not know) and word n-grams, on the normalised text.
Long messages are also scored sentence by sentence, and the riskiest part
counts: "...and there's a rope in the garage" must not be drowned out by
four sentences about insurance.

`python -m bot.safety.risk_model --cv` prints cross-validated figures.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

import numpy as np
import regex
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.safety.normalise import normalise

LABELS = ("benign", "crisis", "distress", "emergency")
RISK_LABELS = ("crisis", "emergency")
EXAMPLES_DIR = Path("data") / "safety" / "risk_examples"
NLU_DIR = Path("data") / "nlu"
# The blind case files (tests/cases/blind*/safety_messages.yml): each was
# written by writers who never saw the project, judged once while held out,
# and is a development set after that. Their messages are training examples
# too: they are the only phrasings from writers nobody briefed about this
# project's misses, and leaving each set out in turn showed they help on the
# set left out (docs/safety.md, ninth and tenth rounds). The first set stays
# out of training, because `make evaluate` gates on it in CI.
CASES_DIR = Path("tests") / "cases"
CASE_SETS = "blind*"
CASE_SETS_KEPT_OUT = frozenset({"blind"})
CASE_LABELS = {"crisis": "crisis", "emergency": "emergency", "near_miss": "benign"}
# Their distress messages are not learned. Many are hopelessness about
# treatment with the person still trying ("i feel hopeless about getting
# better but i'm still going to try"), rightly distress; but word and
# character n-grams cannot tell them from "everything is hopeless and i want
# out", and learning them lowered the crisis score of hopelessness: a gated
# crisis became a check-in (docs/safety.md, ninth round). A missed risk
# costs more than a distress reply given as a check-in, so the blind sets
# teach what is risk and what is harmless, not where distress ends.
CASE_LABELS_NOT_LEARNED = frozenset({"distress"})
# NLU intents whose examples are ordinary visitor messages, i.e. benign.
NLU_CRISIS_INTENT = "crisis"
# Laughter, which the classifier never reads. The blind writers' near
# misses laugh ("i wanted to die lmao") and their risk messages rarely do,
# so the classifier learned a laugh as a sign of harmlessness: "i have a
# plan lol. do you do same day" scored 0.02 crisis, the same words without
# "lol" 0.83. Real visitors mask risk with a laugh as often as they joke
# (independent reviews, twelfth and seventeenth rounds), so a laugh says
# nothing either way and is taken out before training and scoring. Only
# laughing emoji go ("💀" is "dying of laughter" in chat); other emoji stay,
# since some carry risk ("🪦", "🔫", "💊", "🔪", "✌️" as a goodbye).
_LAUGHTER = regex.compile(
    r"(?i)(?<![\p{L}\d])(?:l+o+l+(?:o+l+)*z?|lmf?a+o+|rofl|a?(?:h+a+){2,}h*|(?:h+e+){2,}h*"
    r"|a?(?:j+a+){2,}j*|(?:j+e+){2,}j*|j[ajs]*s[ajs]*|(?:x+d+)+)(?![\p{L}\d])"
    r"|[😂🤣😆😅😹😄😁😜😝🤪🙈💀]\uFE0F?")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,!?;:])")
_SEGMENT_BREAK = re.compile(r"(?<=[.!?;\n])\s+|\s+(?:but|and then|and also|also|plus)\s+")
MIN_SEGMENT_WORDS = 3


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def load_risk_examples(folder: Path) -> list[Example]:
    """Every example in the risk example files, in file order."""
    examples = []
    for path in sorted(folder.glob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("examples") or []:
            label = str(entry.get("label"))
            if label not in LABELS:
                raise ValueError(f"{path}: label {label!r} is not one of {LABELS}")
            examples.append(Example(str(entry["text"]), label))
    return examples


def load_nlu_examples(folder: Path) -> list[Example]:
    """The FAQ training messages: crisis examples as crisis, all others benign."""
    examples = []
    for path in sorted(folder.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            intent = block.get("intent")
            if not intent:
                continue
            label = "crisis" if intent == NLU_CRISIS_INTENT else "benign"
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip()[2:].strip() if line.strip().startswith("- ") else ""
                if text:
                    examples.append(Example(text, label))
    return examples


def _learned_set_files(folder: Path, name: str) -> list[Path]:
    """One file of every blind set the classifier learns from (not those kept out)."""
    return [path for path in sorted(folder.glob(f"{CASE_SETS}/{name}"))
            if path.parent.name not in CASE_SETS_KEPT_OUT]


def case_files(folder: Path) -> list[Path]:
    """The blind sets' safety messages that the classifier learns from."""
    return _learned_set_files(folder, "safety_messages.yml")


def load_case_examples(paths: Iterable[Path]) -> list[Example]:
    """Blind safety cases as examples: a near miss is benign, crisis and
    emergency keep their label, distress is left out (CASE_LABELS_NOT_LEARNED)."""
    examples = []
    for path in paths:
        for case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases") or []:
            if str(case.get("expect")) in CASE_LABELS_NOT_LEARNED:
                continue
            label = CASE_LABELS.get(str(case.get("expect")))
            if label is None:
                raise ValueError(f"{path}: expect {case.get('expect')!r} is not one of "
                                 f"{(*CASE_LABELS, *CASE_LABELS_NOT_LEARNED)}")
            examples.append(Example(str(case["text"]), label))
    return examples


# Conversation turns the classifier learns as benign: the blind sets'
# greetings, thanks and questions before any risk turn. Without them it had
# learned ordinary chat only from single questions, and in the twenty-third
# set's conversations "Good afternoon. I hope I'm typing this in the right
# place." scored 0.57 crisis and "thanks for the info, ill talk it over with
# the wife" 0.69: 11 of its 14 conversations without risk got the crisis
# reply, and crisis mode for the rest of them (docs/safety.md, eighteenth
# round). Distress turns are left out, as the single distress messages are;
# risk turns carry no crisis-or-emergency label, so they are left out too.
CONVERSATION_LABELS_LEARNED = frozenset({"chat", "question"})
CONVERSATION_RISK_LABEL = "risk"


def conversation_files(folder: Path) -> list[Path]:
    """The blind sets' conversations that the classifier learns from."""
    return _learned_set_files(folder, "conversations.yml")


def learned_case_files(folder: Path) -> list[Path]:
    """Every blind-set file the classifier learns from: a training input."""
    return case_files(folder) + conversation_files(folder)


def load_conversation_examples(paths: Iterable[Path]) -> list[Example]:
    """The chat and question turns before a conversation's first risk turn, as benign."""
    examples = []
    for path in paths:
        for conversation in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(
                "conversations") or []:
            for turn in conversation.get("turns") or []:
                if turn.get("label") == CONVERSATION_RISK_LABEL:
                    break
                if turn.get("label") in CONVERSATION_LABELS_LEARNED:
                    examples.append(Example(str(turn["text"]), "benign"))
    return examples


def training_examples(root: Path) -> list[Example]:
    return (load_risk_examples(root / EXAMPLES_DIR) + load_nlu_examples(root / NLU_DIR)
            + load_case_examples(case_files(root / CASES_DIR))
            + load_conversation_examples(conversation_files(root / CASES_DIR)))


def new_pipeline(c: float = 16.0, class_weight: Optional[str] = None) -> Pipeline:
    """Character and word n-grams into a logistic regression.

    class_weight None keeps the examples' own proportions (two thirds
    benign), so a message with little to go on leans benign instead of
    splitting evenly over four labels; cross-validation and the case files
    showed fewer false alarms at the same recall (docs/safety.md).
    """
    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                  sublinear_tf=True, dtype=np.float64)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 3), min_df=1,
                                  token_pattern=r"[^\W\d_][\w']*", sublinear_tf=True,
                                  dtype=np.float64)),
    ])
    classifier = LogisticRegression(C=c, class_weight=class_weight, solver="lbfgs",
                                    tol=1e-8, max_iter=3000, random_state=0)
    return Pipeline([("features", features), ("classifier", classifier)])


def without_laughter(text: str) -> str:
    """The text as the classifier reads it: laughter taken out (see _LAUGHTER)."""
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(_LAUGHTER.sub(" ", text).split()))


def segments(text: str) -> list[str]:
    """The whole message, and each of its sentences or clauses long enough to judge."""
    parts = [p.strip() for p in _SEGMENT_BREAK.split(text) if p and p.strip()]
    parts = [p for p in parts if len(p.split()) >= MIN_SEGMENT_WORDS]
    return [text] + parts if len(parts) > 1 else [text]


def benign_parts(examples: Sequence[Example]) -> list[Example]:
    """Each sentence or clause of a benign example, as a benign example too.

    `probabilities` judges a long message part by part, but the examples are
    whole messages. Without this, a harmless part on its own ("My hands shake
    because of my lithium.", "The bridge on the way was closed.") looked
    like nothing the classifier had seen labelled benign, since benign
    examples are mostly whole questions, and a first-person statement about
    medicines or family scored as crisis. A part of a benign message is
    benign; a part of a crisis message may not be risky, so only benign
    examples are split. A part with a harm word ("what's the lethal dose?"
    cut from "I'm a pharmacy student: ...") is not benign without the rest
    of its message, so it is left out (the harm gate's word list decides).
    On the three earlier blind sets this cut the classifier's false alarms
    on near misses by about two thirds (docs/safety.md, fourth round).
    """
    from bot.safety.harm_gate import default_gate

    gate = default_gate()
    return [Example(part, "benign") for e in examples if e.label == "benign"
            for part in segments(e.text)[1:]
            if not gate.harm_terms(normalise(part, language_of(part)))]


class RiskModel:
    """Probabilities of each risk label for a message."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.labels = list(pipeline.classes_)

    @classmethod
    def train(cls, examples: Sequence[Example], c: float = 16.0,
              class_weight: Optional[str] = None) -> "RiskModel":
        examples = list(examples) + benign_parts(examples)
        texts = [without_laughter(normalise(e.text, language_of(e.text))) for e in examples]
        return cls(new_pipeline(c, class_weight).fit(texts, [e.label for e in examples]))

    def probabilities(self, text: str, language: str = "en") -> dict[str, float]:
        """Per label, the highest probability over the message and its parts.

        The maximum is taken per label, so a long message can read as both
        distress (its whole) and crisis (one clause): the caller's order of
        precedence decides.
        """
        return self.scores(text, language)[0]

    def scores(self, text: str, language: str = "en") -> tuple[dict[str, float], dict[str, float]]:
        """The per-label maxima (`probabilities`), and the whole row of the
        part the classifier found riskiest (crisis + emergency highest).

        The row answers "what else did it read in the same words?": in "I
        feel so alone and sad all the time. I called my brother to say sorry
        for everything" the maxima pair the first sentence's distress with
        the second's crisis; the row keeps the second's own (review,
        eighteenth round).
        """
        parts = segments(without_laughter(normalise(text, language)))
        rows = self.pipeline.predict_proba(parts)
        risk = [self.labels.index(label) for label in RISK_LABELS if label in self.labels]
        peak = rows[int(rows[:, risk].sum(axis=1).argmax())] if risk else rows[0]
        maxima = {label: float(rows[:, i].max()) for i, label in enumerate(self.labels)}
        return maxima, {label: float(peak[i]) for i, label in enumerate(self.labels)}

    def save(self, path: Path) -> None:
        """joblib, not skops: skops writes the 100,000-entry n-gram vocabulary
        as 95 MB that take 12 s to load in every Rasa process; joblib, 3 MB
        in a fraction of a second. The file is built on this machine from
        the repository by `make` (build/safety/), so it is as trusted as the
        code that loads it; it is never downloaded or uploaded."""
        import joblib

        # The vectorizers also keep every n-gram they dropped (min_df), only
        # for introspection.
        for _, vectorizer in self.pipeline.named_steps["features"].transformer_list:
            vectorizer.stop_words_ = None
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.pipeline, path, compress=3)

    @classmethod
    def load(cls, path: Path) -> "RiskModel":
        import joblib

        return cls(joblib.load(path))


@dataclass(frozen=True)
class RiskModelSettings:
    """How the risk classifier is trained (config.yml, SafetyNet: risk_model_*)."""

    c: float = 16.0
    class_weight: Optional[str] = None

    @classmethod
    def from_config(cls, entry: Mapping[str, Any]) -> "RiskModelSettings":
        weight = entry.get("risk_model_class_weight")
        return cls(float(entry.get("risk_model_c", cls.c)),
                   None if weight in (None, "none", "None") else str(weight))


def language_of(text: str) -> str:
    from bot.safety.language import detect_language

    return detect_language(text)


def cross_validate(examples: Sequence[Example], folds: int = 5, c: float = 16.0,
                   class_weight: Optional[str] = None) -> list[tuple[Example, dict[str, float]]]:
    """Each example scored by a model that never saw it (stratified folds, fixed seed)."""
    from sklearn.model_selection import StratifiedKFold

    labels = [e.label for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    scored: list = [None] * len(examples)
    for train_index, test_index in splitter.split(np.zeros(len(labels)), labels):
        model = RiskModel.train([examples[i] for i in train_index], c, class_weight)
        for i in test_index:
            scored[i] = (examples[i], model.probabilities(examples[i].text,
                                                          language_of(examples[i].text)))
    return scored


def _report(scored: Iterable[tuple[Example, dict[str, float]]], thresholds: Any) -> str:
    from bot.safety.decision import risk_kind_from_probabilities

    rows = list(scored)
    lines = [f"{'label':<11}{'n':>6}{'-> crisis/emergency':>22}{'-> possible risk':>18}"
             f"{'-> distress':>13}{'-> none':>9}"]
    for label in LABELS:
        subset = [p for e, p in rows if e.label == label]
        kinds = [risk_kind_from_probabilities(p, thresholds) for p in subset]
        n = len(kinds) or 1
        share = lambda *ks: sum(k in ks for k in kinds) / n  # noqa: E731
        lines.append(f"{label:<11}{len(subset):>6}{share('crisis', 'emergency'):>22.3f}"
                     f"{share('possible_risk'):>18.3f}{share('distress'):>13.3f}{share(None):>9.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.safety.risk_model")
    parser.add_argument("--cv", action="store_true", help="print 5-fold cross-validated figures")
    parser.add_argument("--c", type=float, default=None)
    args = parser.parse_args(argv)
    from bot.safety.build import build_safety
    from bot.safety.decision import safety_net_config, thresholds_from_config
    from bot.settings import get_settings

    root = get_settings().root
    thresholds = thresholds_from_config(root / "config.yml")
    if args.cv:
        examples = training_examples(root)
        settings = RiskModelSettings.from_config(safety_net_config(root / "config.yml"))
        c = args.c or settings.c
        print(f"{len(examples)} examples; C={c}, class_weight={settings.class_weight}")
        print(_report(cross_validate(examples, c=c, class_weight=settings.class_weight), thresholds))
        return 0
    print(build_safety())
    return 0


if __name__ == "__main__":
    sys.exit(main())
