""" "For you": rank candidate papers for one reader from the papers they showed interest in
(upvoted, saved, collected, submitted), mixed with the community's signal. Pure NumPy.

Each candidate gets four signals, each in [0, 1]:
- words: tf-idf cosine to the reader's papers, the mean of its 3 nearest (a k-NN profile:
  it keeps a reader's several topics apart, where one centroid would blur them);
- authors: the share of the candidate's authors the reader's papers have (by name key);
- organization: whether the reader's papers came from the candidate's organization;
- popularity: log upvotes, scaled to the candidate pool's maximum; its weight shrinks as
  1 / (1 + papers the reader liked), so it leads for a newcomer and breaks ties later.
The score is their weighted sum (WEIGHTS; the evaluation's halves and ablation are in
docs/ranking.md). Each pick is explained by its largest term.

`svm_scores` is arxiv-sanity-lite's method (a linear SVM on tf-idf, the reader's papers against
all others), kept as a baseline for `dailypapers eval recommend`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WEIGHTS = {"words": 1.0, "authors": 0.8, "organization": 0.35, "popularity": 0.5}
NEIGHBOURS = 3
VOCABULARY = 20_000
_WORD = re.compile(r"[a-z][a-z0-9]+")
_STOP_WORDS = """a an the of and or in on for to with by from as at is are was were be been this
that these those we our us it its which what when where how can via into over under between than
then also using use used based new novel approach method methods model models paper propose
proposed show shows results result work task tasks data large"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Item:
    """What the ranker knows of one paper."""

    text: str  # title and abstract
    authors: tuple[str, ...]  # name keys
    organization: str | None
    upvotes: int


def tokens(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


class Tfidf:
    """tf-idf over a fixed vocabulary (the most frequent terms seen in at least 2 documents
    and at most half of them), rows L2-normalised, sublinear term frequency."""

    def __init__(self, texts: Sequence[str], size: int = VOCABULARY) -> None:
        docs = [set(tokens(t)) for t in texts]
        df = Counter(term for doc in docs for term in doc)
        limit = max(2, len(docs) // 2)
        kept = sorted((t for t, n in df.items() if 2 <= n <= limit), key=lambda t: (-df[t], t))
        self.index = {t: i for i, t in enumerate(kept[:size])}
        n = len(docs)
        self.idf = np.array(
            [math.log((1 + n) / (1 + df[t])) + 1 for t in kept[:size]], dtype=np.float32
        )

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), len(self.index)), dtype=np.float32)
        for row, text in enumerate(texts):
            for term, count in Counter(tokens(text)).items():
                column = self.index.get(term)
                if column is not None:
                    matrix[row, column] = (1 + math.log(count)) * self.idf[column]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        normalised: np.ndarray = matrix / np.maximum(norms, 1e-9)
        return normalised


@dataclass(frozen=True)
class Scored:
    scores: np.ndarray  # one per candidate
    reasons: list[tuple[str, int]]  # per candidate: its largest signal, and for "words" the
    # index of the reader's paper it is nearest to (-1 otherwise)


class Scorer:
    """One pool of candidates, scored for many readers: the pool's tf-idf rows, authors and
    popularity are computed once, each liked paper's row once per text; a reader then costs one
    (pool x liked) matrix product (bench/recommend.py: the digest-run figure)."""

    def __init__(self, candidates: Sequence[Item], vectorizer: Tfidf) -> None:
        self.candidates = list(candidates)
        self.vectorizer = vectorizer
        self.matrix = vectorizer.transform([c.text for c in self.candidates])
        votes = np.log1p(np.array([max(0, c.upvotes) for c in candidates], dtype=np.float32))
        self.popularity = votes / max(float(votes.max()), 1e-9) if len(votes) else votes
        self.rows: dict[str, np.ndarray] = {}

    def _rows(self, liked: Sequence[Item]) -> np.ndarray:
        missing = [i.text for i in liked if i.text not in self.rows]
        if missing:
            for text, row in zip(missing, self.vectorizer.transform(missing), strict=True):
                self.rows[text] = row
        return np.stack([self.rows[i.text] for i in liked])

    def score(self, liked: Sequence[Item], weights: dict[str, float] | None = None) -> Scored:
        """Score the pool for a reader who liked `liked` (none: popularity only)."""
        weights = weights or WEIGHTS
        n = len(self.candidates)
        signals: dict[str, np.ndarray] = {k: np.zeros(n, dtype=np.float32) for k in WEIGHTS}
        nearest = np.full(n, -1)
        if liked and n:
            similarity = self.matrix @ self._rows(liked).T  # candidates x liked
            k = min(NEIGHBOURS, similarity.shape[1])
            signals["words"] = np.sort(similarity, axis=1)[:, -k:].mean(axis=1)
            nearest = similarity.argmax(axis=1)
            known = Counter(a for item in liked for a in set(item.authors))
            orgs = {item.organization for item in liked if item.organization}
            for i, item in enumerate(self.candidates):
                if item.authors:
                    shared = sum(1 for a in item.authors if a in known)
                    signals["authors"][i] = min(1.0, shared / math.sqrt(len(item.authors)))
                signals["organization"][i] = float(item.organization in orgs)
        signals["popularity"] = self.popularity
        terms = {k: weights.get(k, 0.0) * v for k, v in signals.items()}
        # the community's signal leads for a new reader and fades to a tie-breaker as they tell
        # us more: 0.5, then 0.25 with one paper, 0.07 with six
        terms["popularity"] = terms["popularity"] / (1 + len(liked))
        scores = sum(terms.values(), np.zeros(n, dtype=np.float32))
        names = list(terms)
        stacked = np.stack([terms[k] for k in names]) if n else np.zeros((len(names), 0))
        reasons = []
        for i in range(n):
            best = names[int(stacked[:, i].argmax())]
            reasons.append((best, int(nearest[i]) if best == "words" else -1))
        return Scored(np.asarray(scores, dtype=np.float32), reasons)


def recommend(
    liked: Sequence[Item],
    candidates: Sequence[Item],
    weights: dict[str, float] | None = None,
    vectorizer: Tfidf | None = None,
) -> Scored:
    """Score `candidates` for one reader who liked `liked` (the vocabulary from both, unless
    a fitted `vectorizer` is given)."""
    vectorizer = vectorizer or Tfidf([i.text for i in [*liked, *candidates]])
    return Scorer(candidates, vectorizer).score(liked, weights)


def svm_scores(
    positives: np.ndarray, negatives: np.ndarray, candidates: np.ndarray, c: float = 0.1
) -> np.ndarray:
    """arxiv-sanity-lite's ranker: a linear SVM (L2-regularised, squared hinge loss, solved by
    dual coordinate descent as liblinear does) separating the reader's papers from the others;
    candidates ranked by its decision value."""
    x = np.vstack([positives, negatives]).astype(np.float32)
    y = np.concatenate([np.ones(len(positives)), -np.ones(len(negatives))]).astype(np.float32)
    # class weights as arxiv-sanity-lite sets them: positives are few
    cost = np.where(y > 0, c * max(1.0, len(negatives) / max(1, len(positives))), c)
    alpha = np.zeros(len(y), dtype=np.float32)
    w = np.zeros(x.shape[1], dtype=np.float32)
    diag = 1.0 / (2.0 * cost)
    q = np.einsum("ij,ij->i", x, x) + diag
    rng = np.random.default_rng(0)
    for _ in range(20):
        for i in rng.permutation(len(y)):
            gradient = y[i] * float(x[i] @ w) - 1.0 + diag[i] * alpha[i]
            new = max(0.0, alpha[i] - gradient / q[i])
            if new != alpha[i]:
                w += (new - alpha[i]) * y[i] * x[i]
                alpha[i] = new
    decision: np.ndarray = np.asarray(candidates @ w, dtype=np.float32)
    return decision
