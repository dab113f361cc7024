"""Contexts that make a crisis only the risk classifier saw a check-in instead.

The risk classifier sees words, not purposes. Safe storage told as
prevention shares a crisis's words but not its purpose: "how do I store my
pills so my kids can't get to them?" is the means restriction every safety
plan asks for, and the crisis reply tells a careful parent they are a danger.
Other contexts were tried and dropped (the cue file says which and why): a
context is kept only where it costs no real crisis on the development sets.

Such a message gets the check-in (are you safe? 911, 988) instead of the
crisis reply (bot.safety.decision): the question still gets asked, which is
right if the words meant more than they seemed to. Fail-safe by construction:
a crisis pattern or an emergency keeps the crisis reply; so does an exclusion
cue (hiding or gathering means), and so does any clause without the
context's cues that the patterns or the classifier flag on its own, the
check history.only_history makes (independent review: "I keep the razor
blades locked away so my kids can't find them, but I used one on my arms
last night"). Nothing here ever makes an ordinary answer. The cues are in lexicon/check_in_contexts.yml.

One context may also stand over a crisis pattern: someone else's story or
the writer's work ("I'm an ER nurse, we see a lot of patients after suicide
attempts"). It is read clause by clause: every clause the patterns or the
classifier flag must name others in general and speak of suicide as a
topic, or be about a fictional character, and say nothing of the writer's
own; it never holds with a present word, a method word or a specific
person (the cue file lists them). Only some pattern groups can be told this
way (`Context.groups`), only while the classifier sees almost no risk
(bot.safety.decision); an emergency never can.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

import yaml

from bot.safety.history import clauses, default_cues
from bot.safety.patterns import compile_regexes

CUES_FILE = Path(__file__).with_name("lexicon") / "check_in_contexts.yml"
SAFE_STORAGE = "safe storage as prevention"
OTHERS_STORY_OR_WORK = "someone else's story or the writer's work"
Patterns = tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Context:
    """A context: every `required` list must match, and no `exclude` pattern.

    A flagged clause is excused when one of `clause_ways` holds (each way a
    list of cue sets that must all match; by default any required cue) and
    none of `clause_exclude` matches, read with the `blank` words (the
    writer's role, "we treat") taken out. `groups` are the crisis-pattern
    groups the context may stand over; empty, it stands over the
    classifier alone.
    """

    name: str
    required: tuple[Patterns, ...]
    exclude: Patterns
    clause_ways: tuple[tuple[Patterns, ...], ...] = ()
    clause_exclude: Patterns = ()
    blank: Patterns = ()
    groups: frozenset[str] = frozenset()
    # A present word ("now", "tonight", "otra vez") ends the context.
    not_now: bool = False

    def holds(self, lowered: str) -> bool:
        if any(p.search(lowered) for p in self.exclude):
            return False
        if self.not_now and default_cues().says_now(lowered):
            return False
        return all(any(p.search(lowered) for p in patterns) for patterns in self.required)

    def stands_over(self, groups: Iterable[str]) -> bool:
        """Whether it may turn a message matching these pattern groups into a check-in."""
        groups = set(groups)
        return bool(groups) and groups <= self.groups

    def excuses(self, clause: str) -> bool:
        """A clause this context accounts for, however risky its words."""
        ways = self.clause_ways or tuple((patterns,) for patterns in self.required)
        if not any(all(any(p.search(clause) for p in cues) for cues in way) for way in ways):
            return False
        for pattern in self.blank:
            clause = pattern.sub(" ", clause)
        return not any(p.search(clause) for p in self.clause_exclude)


@functools.lru_cache(maxsize=1)
def default_contexts() -> tuple[Context, ...]:
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8")) or {}
    storage, others = data["safe_storage"], data["others_story_or_work"]
    role = compile_regexes(others["role"])
    return (
        Context(SAFE_STORAGE, (compile_regexes(storage["storage"]), compile_regexes(storage["purpose"])),
                compile_regexes(storage["exclude"])),
        Context(OTHERS_STORY_OR_WORK, (role,), compile_regexes(others["exclude"]),
                clause_ways=((compile_regexes(others["others"]), compile_regexes(others["topic"])),
                             (compile_regexes(others["fiction"]),)),
                clause_exclude=compile_regexes(others["first_person"]),
                blank=role + compile_regexes(others["professional"]),
                groups=frozenset(others["groups"]), not_now=True),
    )


def stands_over_patterns(name: Optional[str], groups: Iterable[str],
                         contexts: Optional[tuple[Context, ...]] = None) -> bool:
    """Whether the named context may turn these crisis-pattern groups into a check-in."""
    context = next((c for c in contexts or default_contexts() if c.name == name), None)
    return context is not None and context.stands_over(groups)


def check_in_context(text: str, is_risky: Callable[[str], bool] = lambda clause: False,
                     groups: Iterable[str] = (),
                     contexts: Optional[tuple[Context, ...]] = None) -> Optional[str]:
    """The name of the first context the message is in, or None.

    `is_risky(clause)` says whether the patterns or the risk classifier flag
    one clause on its own; every clause the context does not excuse must
    pass, alone and together (cutting at "and" must not split a disclosure
    into two harmless halves, as in bot.safety.history). `groups` are the
    crisis-pattern groups the message matched: a context read over patterns
    (one that names groups) holds only where it stands over all of them.
    """
    lowered = " ".join((text or "").lower().split())
    groups = frozenset(groups)
    for context in contexts or default_contexts():
        if context.groups and not context.stands_over(groups):
            continue
        if not context.holds(lowered):
            continue
        rest = [c for c in clauses(lowered) if not context.excuses(c)]
        if not (any(is_risky(c) for c in rest) or (len(rest) > 1 and is_risky(" ".join(rest)))):
            return context.name
    return None
