"""Author names, normalised, and who is who among the papers that share one: pure functions.

A name's key is its first initial and family name without case or accents ("Kaiming He",
"K. He", "kaiming  HE", "He, Kaiming" → "k he"); the key finds every paper that may be theirs
(an indexed column, `paper_authors.name_key`). Within those, given names must agree ("Kai He"
and "Kaiming He" are two people; "K. He" could be either). Then a heuristic, documented in
docs/decisions.md: when the papers fall into groups that share no co-author and each group has
at least MIN_GROUP papers, they are shown apart as possibly different people.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
SPECIAL = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"})
MIN_GROUP = 3  # papers each group needs before a split is shown
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(name: str) -> list[str]:
    """The name's words, lower case, without accents or punctuation; "Family, Given" turned
    around; suffixes ("Jr.") dropped."""
    if name.count(",") == 1:
        family, given = name.split(",")
        name = f"{given} {family}"
    plain = name.lower()
    if not plain.isascii():  # most names are: nothing to fold (5x faster on a snapshot import)
        plain = unicodedata.normalize("NFKD", plain.translate(SPECIAL))
        plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = [w for w in _NOT_WORD.split(plain) if w]
    while len(words) > 1 and words[-1] in SUFFIXES:
        words.pop()
    return words


@lru_cache(maxsize=1 << 16)  # prolific authors come back paper after paper in an import
def name_key(name: str) -> str:
    """First initial and family name: what every spelling of one person shares."""
    words = fold(name)
    if not words:
        return ""
    if len(words) == 1:
        return words[0][:120]
    return f"{words[0][0]} {words[-1]}"[:120]


def given_names(name: str) -> list[str]:
    return fold(name)[:-1]


def compatible(a: str, b: str) -> bool:
    """Could two spellings be one person? Same key, and given names that agree word by word
    where both are spelled out ("K. He" fits "Kaiming He"; "Kai He" does not)."""
    if name_key(a) != name_key(b):
        return False
    for x, y in zip(given_names(a), given_names(b), strict=False):
        if len(x) > 1 and len(y) > 1 and x != y:
            return False
        if x[0] != y[0]:
            return False
    return True


@dataclass(frozen=True)
class Authored:
    """One paper of a candidate: its id, the spelling it uses, its other authors' keys."""

    paper_id: int
    spelling: str
    coauthors: frozenset[str]


@dataclass(frozen=True)
class Group:
    paper_ids: tuple[int, ...]
    coauthors: tuple[str, ...]  # the most frequent co-author keys, for the group's label


def split_homonyms(papers: Sequence[Authored]) -> list[Group]:
    """The papers as one group, or as several when the co-author evidence is strong: groups that
    share no co-author and each hold MIN_GROUP papers or more. Papers in smaller components join
    the largest group. Largest group first."""
    parent = list(range(len(papers)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, paper in enumerate(papers):
        for coauthor in paper.coauthors:
            if coauthor in first_with:
                parent[root(i)] = root(first_with[coauthor])
            else:
                first_with[coauthor] = i
    components: dict[int, list[int]] = {}
    for i in range(len(papers)):
        components.setdefault(root(i), []).append(i)
    ordered = sorted(components.values(), key=lambda c: (-len(c), c[0]))
    strong = [c for c in ordered if len(c) >= MIN_GROUP]
    if len(strong) < 2:
        return [_group(papers, list(range(len(papers))))] if papers else []
    weak = [i for c in ordered if len(c) < MIN_GROUP for i in c]
    strong[0] = sorted(strong[0] + weak)
    return [_group(papers, c) for c in strong]


def _group(papers: Sequence[Authored], members: list[int]) -> Group:
    counts: dict[str, int] = {}
    for i in members:
        for coauthor in papers[i].coauthors:
            counts[coauthor] = counts.get(coauthor, 0) + 1
    top = sorted(counts, key=lambda k: (-counts[k], k))[:3]
    return Group(tuple(papers[i].paper_id for i in members), tuple(top))
