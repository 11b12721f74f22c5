"""Fusing ranked lists from the lexical and semantic engines. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence

Ranked = Sequence[tuple[int, float]]  # (doc id, engine score), best first


def reciprocal_rank_fusion(
    lists: Sequence[Ranked], k: float = 60.0, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1; ties broken by doc id."""
    weights = weights or [1.0] * len(lists)
    scores: dict[int, float] = {}
    for ranked, weight in zip(lists, weights, strict=True):
        for rank, (doc, _) in enumerate(ranked, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def normalized(ranked: Ranked) -> dict[int, float]:
    """Scores rescaled so the best is 1 and the last is 0 (one item: 1)."""
    if not ranked:
        return {}
    scores = [s for _, s in ranked]
    top, bottom = max(scores), min(scores)
    span = top - bottom
    return {doc: (s - bottom) / span if span > 0 else 1.0 for doc, s in ranked}


def score_blend(lexical: Ranked, semantic: Ranked, alpha: float = 0.5) -> list[tuple[int, float]]:
    """alpha * semantic + (1 - alpha) * lexical on min-max normalised scores; absent counts 0."""
    lex, sem = normalized(lexical), normalized(semantic)
    docs = set(lex) | set(sem)
    scores = {d: alpha * sem.get(d, 0.0) + (1 - alpha) * lex.get(d, 0.0) for d in docs}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
