"""Who gets which papers: pure functions over a period's papers, prepared once for every reader.

Composing for 100,000 readers is not 100,000 searches. The period's papers (a day's or a week's
feed, at most a few hundred) become a `Pool` with their embeddings, words, authors and categories;
each distinct keyword is embedded once and scored against the whole pool once (cached); a reader is
then a few vector additions over the pool. See docs/decisions.md ("Digest composition").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from dailypapers.search.query import STOP_WORDS, words_of

AUTHOR_WEIGHT = 1.0  # a followed author's paper always makes the list
KEYWORD_WORDS_WEIGHT = 0.6  # every word of the keyword is in the title or abstract
KEYWORD_MEANING_MIN = 0.40  # cosine above which a keyword "means" the paper (MiniLM scale)
LIKE_UPVOTED_MIN = 0.45
CATEGORY_WEIGHT = 0.25
POPULARITY_WEIGHT = 0.05  # breaks ties toward what the community liked
MIN_SCORE = 0.2
FREQUENCIES = ("daily", "weekly")

_SPLIT = re.compile(r"[\n,;]+")


@dataclass(frozen=True)
class Interests:
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    like_upvoted: bool = False

    @property
    def any(self) -> bool:
        return bool(self.categories or self.keywords or self.authors or self.like_upvoted)


def split_list(text: str, limit: int = 20) -> tuple[str, ...]:
    """A reader's list as typed (newlines, commas or semicolons), trimmed and without repeats."""
    items = [" ".join(part.split()) for part in _SPLIT.split(text or "")]
    return tuple(dict.fromkeys(i for i in items if i))[:limit]


def author_key(name: str) -> str:
    return " ".join(words_of(name))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _key_words(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in words_of(text) if w not in STOP_WORDS)


@dataclass(frozen=True)
class Candidate:
    """One paper of the period, as composing needs it."""

    paper_id: int
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Pick:
    paper_id: int
    reason: str = ""


@dataclass(frozen=True)
class Digest:
    trending: tuple[Pick, ...]
    for_you: tuple[Pick, ...]

    @property
    def is_empty(self) -> bool:
        return not self.trending and not self.for_you

    @property
    def paper_ids(self) -> list[int]:
        return [p.paper_id for p in self.trending + self.for_you]

    def to_json(self) -> dict[str, list[list[object]]]:
        return {
            "trending": [[p.paper_id, p.reason] for p in self.trending],
            "for_you": [[p.paper_id, p.reason] for p in self.for_you],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, list[list[object]]]) -> Digest:
        def picks(key: str) -> tuple[Pick, ...]:
            return tuple(Pick(int(str(i)), str(r)) for i, r in data.get(key, []))

        return cls(picks("trending"), picks("for_you"))


@dataclass
class Pool:
    """The period's papers in trending order (best first), with their embeddings when known.

    `vectors` rows are unit vectors, zero for a paper without an embedding; `keyword_vectors`
    maps each keyword (as typed) to its embedding, computed once for all readers by the caller.
    """

    candidates: Sequence[Candidate]
    vectors: np.ndarray | None = None
    keyword_vectors: Mapping[str, np.ndarray] = field(default_factory=dict)
    _words: list[frozenset[str]] = field(init=False, repr=False)
    _by_author: dict[str, list[int]] = field(init=False, repr=False)
    _by_category: dict[str, list[int]] = field(init=False, repr=False)
    _keyword_cache: dict[str, np.ndarray] = field(init=False, repr=False, default_factory=dict)
    popularity: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._words = [_key_words(f"{c.title} {c.abstract}") for c in self.candidates]
        self._by_author = {}
        self._by_category = {}
        for index, candidate in enumerate(self.candidates):
            for name in candidate.authors:
                self._by_author.setdefault(author_key(name), []).append(index)
            for category in candidate.categories:
                self._by_category.setdefault(category.lower(), []).append(index)
        n = len(self.candidates)
        self.popularity = POPULARITY_WEIGHT * (1 - np.arange(n) / max(n, 1))

    def __len__(self) -> int:
        return len(self.candidates)

    def keyword_scores(self, keyword: str) -> np.ndarray:
        """Per paper: the words bonus plus the meaning similarity above its threshold."""
        cached = self._keyword_cache.get(keyword)
        if cached is not None:
            return cached
        wanted = _key_words(keyword)
        scores = np.zeros(len(self), dtype=np.float32)
        if wanted:
            scores += KEYWORD_WORDS_WEIGHT * np.array(
                [wanted <= words for words in self._words], dtype=np.float32
            )
        vector = self.keyword_vectors.get(keyword)
        if vector is not None and self.vectors is not None:
            similarity = self.vectors @ vector
            scores += np.where(similarity >= KEYWORD_MEANING_MIN, similarity, 0)
        self._keyword_cache[keyword] = scores
        return scores

    def author_indexes(self, name: str) -> list[int]:
        return self._by_author.get(author_key(name), [])

    def category_indexes(self, category: str) -> list[int]:
        return self._by_category.get(category.lower(), [])

    def profile_scores(self, profile: np.ndarray) -> np.ndarray:
        if self.vectors is None:
            return np.zeros(len(self), dtype=np.float32)
        similarity = self.vectors @ profile
        return np.where(similarity >= LIKE_UPVOTED_MIN, similarity, 0).astype(np.float32)


def compose(
    pool: Pool,
    interests: Interests,
    already_sent: Iterable[int] = (),
    profile: np.ndarray | None = None,
    trending_size: int = 10,
    for_you_size: int = 5,
) -> Digest:
    """For a reader with interests, the period's best matches for them ("for you"); then the
    period's trending papers that are not among those.

    A paper already sent to this reader never appears; a paper appears at most once per digest.
    """
    sent = set(already_sent)
    fresh = [i for i, c in enumerate(pool.candidates) if c.paper_id not in sent]
    for_you: tuple[Pick, ...] = ()
    if interests.any and for_you_size > 0:
        scores, reasons = _score(pool, interests, profile)
        ranked = sorted(
            (i for i in fresh if scores[i] >= MIN_SCORE),
            key=lambda i: -float(scores[i] + pool.popularity[i]),
        )
        for_you = tuple(
            Pick(pool.candidates[i].paper_id, reasons.get(i, "")) for i in ranked[:for_you_size]
        )
    taken = {p.paper_id for p in for_you}
    trending = tuple(
        Pick(pool.candidates[i].paper_id) for i in fresh if pool.candidates[i].paper_id not in taken
    )[:trending_size]
    return Digest(trending, for_you)


def _score(
    pool: Pool, interests: Interests, profile: np.ndarray | None
) -> tuple[np.ndarray, dict[int, str]]:
    """Summed interest scores per paper, and the strongest reason for each, said in words."""
    scores = np.zeros(len(pool), dtype=np.float32)
    best: dict[int, tuple[float, str]] = {}

    def credit(indexes: Iterable[int], values: np.ndarray | float, reason: str) -> None:
        for i in indexes:
            value = float(values if isinstance(values, float) else values[i])
            scores[i] += value
            if value > best.get(i, (0.0, ""))[0]:
                best[i] = (value, reason)

    for name in interests.authors:
        credit(pool.author_indexes(name), AUTHOR_WEIGHT, f"by {name}")
    for keyword in interests.keywords:
        values = pool.keyword_scores(keyword)
        credit(np.flatnonzero(values), values, f"matches “{keyword}”")
    if interests.like_upvoted and profile is not None:
        values = pool.profile_scores(profile)
        credit(np.flatnonzero(values), values, "like papers you upvoted")
    for category in interests.categories:
        credit(pool.category_indexes(category), CATEGORY_WEIGHT, f"in {category}")
    return scores, {i: reason for i, (_, reason) in best.items()}
