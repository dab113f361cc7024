"""Grouping what visitors asked by similarity, so staff read themes, not lists.

TF-IDF over words and character trigrams (which tolerates typos such as
"ketamene"), cosine similarity, then a simple greedy pass: the most frequent
unassigned message starts a group and takes every unassigned message close
enough to it. Small, explainable, and fast for the few thousand messages a
clinic collects within its retention period.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

SIMILARITY = 0.45


@dataclass(frozen=True)
class Group:
    label: str                      # the most frequent wording
    count: int                      # messages in the group, repeats included
    variants: tuple[tuple[str, int], ...]  # distinct wordings with their counts


def _normalise(text: str) -> str:
    """Case, spacing and punctuation do not make a different question."""
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def group_similar(messages: list[str], threshold: float = SIMILARITY) -> list[Group]:
    """Groups ranked by how many messages they hold (most first)."""
    counts = Counter(_normalise(m) for m in messages if m.strip())
    shown = {}
    for message in messages:  # keep the first original spelling for display
        shown.setdefault(_normalise(message), " ".join(message.split()))
    distinct = [text for text, _ in counts.most_common()]
    if not distinct:
        return []
    similarity = _similarity(distinct)
    assigned = [False] * len(distinct)
    groups = []
    for seed in range(len(distinct)):  # most frequent first
        if assigned[seed]:
            continue
        members = [i for i in range(len(distinct))
                   if not assigned[i] and (i == seed or similarity[seed][i] >= threshold)]
        for i in members:
            assigned[i] = True
        variants = tuple((shown[distinct[i]], counts[distinct[i]]) for i in members)
        groups.append(Group(label=variants[0][0], count=sum(c for _, c in variants),
                            variants=variants))
    return sorted(groups, key=lambda g: (-g.count, g.label))


def _similarity(texts: list[str]):
    if len(texts) == 1:
        return [[1.0]]
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    words = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), sublinear_tf=True)
    matrix = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    return cosine_similarity(matrix).tolist()
