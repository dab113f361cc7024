"""The one safety decision made for every visitor message.

The safety net (bot/nlu/safety_net.py) gathers what the layers saw into
`Signals`; `decide` turns them into one `SafetyDecision`, which is stored
on the message's parse data (the tracker's `UserUttered` event) under
`safety`. The safety policy, the NLG and the evaluation read it from there
and nowhere else. `decide` is a pure function, tested without a model.

Layers, in order of precedence (docs/safety.md explains each):
0. risk told only as the distant past, in a question ("I attempted ten
   years ago, does that rule me out?"): personal, to staff, with 988 for if
   the thoughts come back (bot.safety.history); told in a statement, it
   keeps the crisis reply (docs/safety.md, fourteenth and fifteenth rounds);
1. crisis or emergency: the lemma patterns (a precision floor that never
   depends on training), or the risk classifier past its thresholds, or the
   intent model's own crisis intent when the risk classifier has doubts too.
   A crisis only the risk classifier saw, read as more distress than
   crisis, or told in a check-in context, gets the check-in instead;
2. possible risk: the risk classifier is unsure (an emergency, 911 first,
   when most of its doubt is about an emergency), or the fail-safe harm gate
   trips (a message about death, suicide, overdose, weapons, bleeding, not
   waking up... that is not clearly a general information question);
   layers 1 and 2 are skipped for a plain statement of safety with nothing
   else in the message ("no no, i'm not suicidal lol":
   bot.safety.safety_statement), whose only risk words are the ones it
   denies;
3. unreadable input and other languages (not a safety kind: answered as
   today, by the input problem's own reply);
4. illegal: a request for ketamine outside medical care;
5. personal: a question about the visitor's own care;
6. distress without risk, unless the message is an answerable question
   (before 3 for Spanish, whose distress reply exists);
7. none.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Optional

import yaml

from bot.safety.input_check import OTHER_LANGUAGE
from bot.safety.language import SPANISH

CRISIS, EMERGENCY, POSSIBLE_RISK, DISTRESS = "crisis", "emergency", "possible_risk", "distress"
PERSONAL, ILLEGAL, NONE = "personal", "illegal", "none"
KINDS = (CRISIS, EMERGENCY, POSSIBLE_RISK, DISTRESS, PERSONAL, ILLEGAL, NONE)
# Kinds that start crisis mode for the rest of the conversation.
RISK_KINDS = frozenset({CRISIS, EMERGENCY})
# Kinds whose messages are about risk or distress: never shown to staff as
# "questions the assistant could not answer", never training candidates.
SAFETY_REVIEW_KINDS = frozenset({CRISIS, EMERGENCY, POSSIBLE_RISK, DISTRESS})
PARSE_DATA_KEY = "safety"
SAFETY_NET = "bot.nlu.safety_net.SafetyNet"


@dataclass(frozen=True)
class Thresholds:
    """Where the learned layers' scores become decisions (config.yml, SafetyNet)."""

    crisis_threshold: float = 0.5
    emergency_threshold: float = 0.5
    possible_risk_threshold: float = 0.35
    distress_threshold: float = 0.5
    ml_crisis_threshold: float = 0.5
    # The intent model's crisis intent counts as crisis only when the risk
    # classifier gives crisis + emergency at least this (else a check-in): on
    # its own it was wrong far more often than right (docs/safety.md, fifth
    # round).
    ml_crisis_risk_min: float = 0.2
    # A statement the patterns saw negated ("I'm not suicidal, just curious")
    # needs a surer classifier to count as crisis.
    negated_crisis_threshold: float = 0.8
    # A clear general question: the answer side is at least this sure of its
    # topic, and the risk classifier gives crisis + emergency less than this.
    clear_question_answer_min: float = 0.5
    clear_question_risk_max: float = 0.15
    # Someone else's story or work stands over a crisis pattern only when the
    # risk classifier, which learned such messages, gives crisis + emergency
    # below this: two layers must agree (review, fourteenth round).
    story_context_risk_max: float = 0.2
    # The risk classifier alone (no pattern, no harm word, not the intent
    # model's crisis) that reads a message as more distress than crisis, and
    # crisis below this, gets the check-in, not the crisis reply and crisis
    # mode (docs/safety.md, eighteenth round).
    distress_over_crisis_max: float = 0.7

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "Thresholds":
        names = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in values.items() if k in names})


def safety_net_config(config_file: Path) -> dict[str, Any]:
    """The SafetyNet entry of config.yml's pipeline (thresholds and risk-model settings)."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    return next((c for c in config.get("pipeline") or [] if c.get("name") == SAFETY_NET), {})


def thresholds_from_config(config_file: Path) -> Thresholds:
    """The SafetyNet thresholds set in config.yml, over the defaults."""
    return Thresholds.from_mapping(safety_net_config(config_file))


@dataclass(frozen=True)
class Signals:
    """What each layer saw in one message. Filled by the safety net."""

    language: str = "en"
    input_problem: Optional[str] = None
    # Live pattern matches as (group, kind) pairs; kind is crisis or emergency.
    pattern_matches: tuple[tuple[str, str], ...] = ()
    # The patterns saw only negated statements ("I'm not suicidal").
    only_negated: bool = False
    # Risk classifier probabilities: crisis, emergency, distress, benign, each
    # the highest over the message and its parts; and the whole row of the
    # part it found riskiest (RiskModel.scores).
    risk: Mapping[str, float] = field(default_factory=dict)
    risk_at_peak: Mapping[str, float] = field(default_factory=dict)
    # The intent model's confidence in its own crisis intent, if best guess.
    ml_crisis: float = 0.0
    ml_intent: Optional[str] = None
    # Harm words the fail-safe gate found ("overdose", "not wake up", ...).
    harm_terms: tuple[str, ...] = ()
    is_question: bool = False
    # All the risk in the message is told as the distant past, and nothing
    # is said to be happening now (bot.safety.history).
    past_history: bool = False
    # "I", "my", or a named person: the message is about someone.
    about_a_person: bool = False
    # A context in which a crisis gets the check-in: safe storage as
    # prevention, someone else's story or work (bot.safety.check_in_contexts).
    check_in_context: Optional[str] = None
    # The context may stand over the crisis-pattern groups matched: someone
    # else's story or work, with every flagged clause about others.
    check_in_over_patterns: bool = False
    # The visitor plainly says they are safe ("no, i'm not suicidal lol"),
    # and nothing else (bot.safety.safety_statement, PLAIN); or says so and
    # more ("im safe, how much is it?", WITH_MORE), which counts only when
    # no layer finds anything in the whole message.
    says_safe: bool = False
    says_safe_with_more: bool = False
    illegal_rules: tuple[str, ...] = ()
    personal_rules: tuple[str, ...] = ()
    # The curated answer the intent model found, its topic-level confidence,
    # and whether its text carries dose figures.
    answer_id: Optional[str] = None
    answer_confidence: float = 0.0
    answer_has_dose: bool = False


@dataclass(frozen=True)
class SafetyDecision:
    kind: str
    reason: str
    language: str = "en"
    # The curated answer this message may be given (as the answer, or as
    # general information beside a handoff); None when none may be shown.
    general_answer_id: Optional[str] = None
    # A clear, benign general question: answerable even in crisis mode once
    # the visitor has said they are safe (the safety policy decides, with the
    # conversation's state).
    clear_question: bool = False
    # "I", "my", "him" or a named person: the message is about someone.
    about_a_person: bool = False
    # A personal decision because the visitor told past risk: the staff
    # reply says so and gives 988 for if the thoughts come back.
    past_history: bool = False
    # The visitor plainly says they are safe: in crisis mode, like the
    # "Yes, I'm safe" button (the safety policy decides).
    says_safe: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Optional[Mapping[str, Any]]) -> "SafetyDecision":
        if not data or data.get("kind") not in KINDS:
            return NO_DECISION
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def is_risk(self) -> bool:
        return self.kind in RISK_KINDS

    @property
    def only_says_safe(self) -> bool:
        """The visitor says they are safe, and nothing else in the message is
        of concern: what may count like the "Yes, I'm safe" button."""
        return self.says_safe and self.kind == NONE


NO_DECISION = SafetyDecision(NONE, "no decision recorded")


def risk_kind_from_probabilities(risk: Mapping[str, float], t: Thresholds) -> Optional[str]:
    """What the risk classifier alone says: crisis, emergency, possible_risk, distress or None.

    Used for the cross-validation report; `decide` applies the same bands.
    """
    banded = _risk_band(risk, t)
    if banded is not None:
        return banded
    if risk_total(risk) >= t.possible_risk_threshold:
        return EMERGENCY if risk.get(EMERGENCY, 0.0) >= risk.get(CRISIS, 0.0) else POSSIBLE_RISK
    if risk.get(DISTRESS, 0.0) >= t.distress_threshold:
        return DISTRESS
    return None


def _risk_band(risk: Mapping[str, float], t: Thresholds, negated: bool = False) -> Optional[str]:
    """Crisis or emergency when the classifier is past its threshold."""
    crisis, emergency = risk.get(CRISIS, 0.0), risk.get(EMERGENCY, 0.0)
    crisis_needed = t.negated_crisis_threshold if negated else t.crisis_threshold
    if crisis >= crisis_needed or emergency >= t.emergency_threshold:
        return EMERGENCY if emergency > crisis else CRISIS
    return None


def is_answerable_question(s: Signals, t: Thresholds) -> bool:
    """Asked as a question, with a confident curated answer, and no harm words.

    The risk classifier's middle band (possible risk) and its distress label
    do not override such a question: "can I drive myself home after?" is a
    question about driving, whatever its word overlap with a crisis message.
    """
    return (s.is_question and s.ml_intent == "faq" and s.answer_id is not None
            and s.answer_confidence >= t.clear_question_answer_min and not s.harm_terms)


def is_clear_question(s: Signals, t: Thresholds) -> bool:
    """A general information question we may answer even where risk words appear.

    Asked as a question, not about a person when it uses harm words, with a
    confident curated answer, and a low risk score; and never an answer with
    dose figures to a question that touches on harm.
    """
    if not (s.is_question and s.ml_intent == "faq" and s.answer_id):
        return False
    if s.answer_confidence < t.clear_question_answer_min:
        return False
    if risk_total(s.risk) >= t.clear_question_risk_max:
        return False
    if s.harm_terms and (s.about_a_person or s.answer_has_dose):
        return False
    return True


def decide(s: Signals, t: Thresholds) -> SafetyDecision:
    """The safety decision for one message; see the module docstring for the order."""
    clear = is_clear_question(s, t)
    answerable = clear or is_answerable_question(s, t)

    def decision(kind: str, reason: str, answer: Optional[str] = None) -> SafetyDecision:
        # A message with an input problem (another language, unreadable) is
        # never a clear question: in crisis mode it must get the crisis-mode
        # reply in its language, not "I can only answer in English".
        clear_question = clear and kind == NONE and not s.input_problem
        says_safe = s.says_safe or (s.says_safe_with_more and kind == NONE and not s.input_problem)
        return SafetyDecision(kind, reason, s.language, answer, clear_question,
                              about_a_person=s.about_a_person, says_safe=says_safe)

    if _told_as_history(s, t):
        return SafetyDecision(PERSONAL, "past history, nothing now: staff", s.language,
                              past_history=True)
    # The words of "no no, i'm not suicidal lol" are the only risk words in
    # a message that says nothing but that the writer is safe: the risk
    # layers, which read those words, have nothing else to judge. (A
    # statement with more is read whole, as any message.)
    risk_layers = not s.says_safe
    risk_kind = _risk_kind(s, t) if risk_layers else None
    if risk_kind is not None:
        check_in = _check_in_instead(s, risk_kind[0], t)
        return decision(POSSIBLE_RISK, check_in) if check_in else decision(*risk_kind)
    risk = s.risk
    if risk_layers and risk_total(risk) >= t.possible_risk_threshold and not answerable:
        # "Are you safe?" is the wrong question for "she's gasping for air":
        # when the doubt is mostly about an emergency, 911 comes first.
        if risk.get(EMERGENCY, 0.0) >= risk.get(CRISIS, 0.0):
            return decision(EMERGENCY, f"risk model unsure, mostly emergency ({_scores(risk)})")
        return decision(POSSIBLE_RISK, f"risk model unsure ({_scores(risk)})")
    # The intent model's crisis guess without the risk classifier's support
    # (or below its own threshold): a check-in, which asks "are you safe?"
    # and gives 911 and 988, even when the classifier reads distress: "I just
    # want to rest for good" and "I feel like such a burden" read as distress
    # to the classifier and as crisis to the intent model (independent review).
    if risk_layers and s.ml_crisis >= t.possible_risk_threshold and not s.only_negated \
            and not answerable:
        return decision(POSSIBLE_RISK, f"intent model unsure: crisis {s.ml_crisis:.2f}")
    if risk_layers and s.harm_terms and not clear:
        return decision(POSSIBLE_RISK, f"harm gate: {', '.join(s.harm_terms)}")
    distressed = risk.get(DISTRESS, 0.0) >= t.distress_threshold and not answerable
    # A Spanish message is an "other language" input, but the distress reply
    # exists in Spanish: "me siento muy sola, lloro todos los días" must not
    # be told that the assistant answers only in English.
    if distressed and s.input_problem == OTHER_LANGUAGE and s.language == SPANISH:
        return decision(DISTRESS, f"risk model: distress {risk.get(DISTRESS, 0.0):.2f}")
    if s.input_problem:
        return decision(NONE, f"input: {s.input_problem}")
    if s.illegal_rules:
        return decision(ILLEGAL, f"illegal: {', '.join(s.illegal_rules)}")
    # An answer with dose figures to a question about someone ("what dose
    # would my doctor give me") would be a personal dose: staff answer it.
    own_dose = s.answer_has_dose and s.about_a_person and s.ml_intent in ("faq", "nlu_fallback")
    if (s.personal_rules or own_dose) and s.ml_intent not in ("request_human", "personal_question"):
        # Never dose figures beside a question about the visitor's own care.
        confident = s.answer_confidence >= t.clear_question_answer_min and not s.answer_has_dose
        general = s.answer_id if confident else None
        reason = f"personal: {', '.join(s.personal_rules)}" if s.personal_rules else \
            "personal: dose figures asked about a person"
        return decision(PERSONAL, reason, general)
    if distressed:
        return decision(DISTRESS, f"risk model: distress {risk.get(DISTRESS, 0.0):.2f}")
    if s.says_safe:
        return decision(NONE, "says they are safe, no other risk", s.answer_id)
    return decision(NONE, "no risk found", s.answer_id)


def _told_as_history(s: Signals, t: Thresholds) -> bool:
    """Past risk, asked about: no emergency, nothing now (bot.safety.history)."""
    if not (s.past_history and s.is_question):
        return False
    if any(kind == EMERGENCY for _, kind in s.pattern_matches):
        return False
    return s.risk.get(EMERGENCY, 0.0) < t.emergency_threshold


def _check_in_instead(s: Signals, kind: str, t: Thresholds) -> Optional[str]:
    """Why a crisis gets the check-in instead, if it does.

    The risk classifier alone reading more distress than crisis
    (_more_distress_than_crisis). Safe storage told as prevention shares
    words with crisis but not its purpose (bot.safety.check_in_contexts);
    it excuses only what the learned layers alone saw. Someone else's story
    or the writer's work may also excuse some crisis-pattern groups, when
    every flagged clause is about others and the risk classifier sees
    almost no risk. Each gets "are you safe?" with 911 and 988, never an
    ordinary answer; an emergency
    keeps the crisis reply whatever else is true. (A band for answerable
    questions the classifier was unsure of was tried in the sixth round and
    dropped: on the development sets it spared two near misses and cost one
    crisis.)
    """
    if kind != CRISIS:
        return None
    if _more_distress_than_crisis(s, t):
        return f"risk model reads more distress than crisis: check in ({_scores(s.risk)})"
    if not s.check_in_context:
        return None
    if s.pattern_matches:
        if not s.check_in_over_patterns or any(k != CRISIS for _, k in s.pattern_matches):
            return None
        if risk_total(s.risk) >= t.story_context_risk_max:
            return None
        groups = sorted({group for group, _ in s.pattern_matches})
        return f"{s.check_in_context}: check in (patterns: {', '.join(groups)})"
    return f"{s.check_in_context}: check in ({_scores(s.risk)})"


def _more_distress_than_crisis(s: Signals, t: Thresholds) -> bool:
    """Only the risk classifier saw a crisis, and in the same words it read
    more distress than crisis and emergency together.

    "not looking for pity. just tired of feeling like a stranger in my own
    house" (crisis 0.39, distress 0.95) is loneliness; with the crisis reply
    it also started crisis mode, and the visitor's next questions got the
    crisis-mode reply instead of an answer (docs/safety.md, eighteenth
    round). The check-in still asks "are you safe?" and gives 911 and 988.
    Read in the riskiest part's own row (`risk_at_peak`), never across
    parts: one sad sentence must not excuse another's crisis. Anything a
    second layer also saw (a pattern, a harm word, the intent model's
    crisis) keeps the crisis reply, and so does a crisis score of
    distress_over_crisis_max or more.
    """
    if s.pattern_matches or s.harm_terms or s.ml_crisis >= t.ml_crisis_threshold:
        return False
    if not s.risk_at_peak or s.risk.get(CRISIS, 0.0) >= t.distress_over_crisis_max:
        return False
    peak = s.risk_at_peak
    return peak.get(DISTRESS, 0.0) >= peak.get(CRISIS, 0.0) + peak.get(EMERGENCY, 0.0)


def risk_total(risk: Mapping[str, float]) -> float:
    """Crisis and emergency together: how much of the classifier's belief is risk."""
    return risk.get(CRISIS, 0.0) + risk.get(EMERGENCY, 0.0)  # the one place it is summed


def _risk_kind(s: Signals, t: Thresholds) -> Optional[tuple[str, str]]:
    """Crisis or emergency, with the reason, if any layer is sure enough."""
    if s.pattern_matches:
        groups = sorted({group for group, _ in s.pattern_matches})
        kinds = {kind for _, kind in s.pattern_matches}
        kind = CRISIS if CRISIS in kinds else EMERGENCY
        return kind, f"patterns: {', '.join(groups)}"
    banded = _risk_band(s.risk, t, negated=s.only_negated)
    if banded is not None:
        return banded, f"risk model ({_scores(s.risk)})"
    # No risk scores at all (no classifier, nothing visible): the intent
    # model is the only learned net left, so it counts on its own.
    supported = not s.risk or risk_total(s.risk) >= t.ml_crisis_risk_min
    if not s.only_negated and s.ml_crisis >= t.ml_crisis_threshold and supported:
        return CRISIS, f"intent model: crisis {s.ml_crisis:.2f}, risk model agrees ({_scores(s.risk)})"
    return None


def _scores(risk: Mapping[str, float]) -> str:
    return ", ".join(f"{label} {risk.get(label, 0.0):.2f}" for label in (CRISIS, EMERGENCY, DISTRESS))
