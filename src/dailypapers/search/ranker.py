"""Hybrid ranking, tuned on SciFact train (docs/decisions.md has the numbers). Pure functions.

Stage 1 blends the two engines' evidence for every candidate either engine found:

    s1 = LEXICAL * bm25 / max_bm25 + DENSE * cos(query, paper)

Stage 2 re-ranks the best RERANK_DEPTH of those with the best-matching abstract sentence,

    s2 = s1 + SENTENCE * max_i cos(query, sentence_i)

because a query usually matches one statement of an abstract, which a whole-abstract vector blurs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

Ranked = Sequence[tuple[int, float]]  # (paper id, engine score), best first

LEXICAL = 0.65
DENSE = 0.8
SENTENCE = 0.6
RERANK_DEPTH = 30


def first_stage(lexical: Ranked, cosines: Mapping[int, float]) -> list[tuple[int, float]]:
    """Blend normalised BM25 with cosine similarity over the union of candidates.

    `cosines` holds the query's cosine to every candidate that has an embedding; a candidate
    without one (not embedded yet) gets the lowest cosine seen, so it is neither lost nor favoured.
    """
    top = max((s for _, s in lexical), default=0.0)
    bm25 = {doc: s / top if top > 0 else 0.0 for doc, s in lexical}
    floor = min(cosines.values(), default=0.0)
    docs = set(bm25) | set(cosines)
    scores = {d: LEXICAL * bm25.get(d, 0.0) + DENSE * cosines.get(d, floor) for d in docs}
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def rerank(
    stage1: list[tuple[int, float]],
    sentence_max: Mapping[int, float],
    cosines: Mapping[int, float],
    depth: int = RERANK_DEPTH,
) -> list[tuple[int, float]]:
    """Add the best sentence match to the top `depth`; papers without sentence vectors use their
    whole-abstract cosine instead. The tail keeps its order below the re-ranked head."""
    head, tail = stage1[:depth], stage1[depth:]
    floor = min(cosines.values(), default=0.0)
    rescored = [
        (doc, score + SENTENCE * sentence_max.get(doc, cosines.get(doc, floor)))
        for doc, score in head
    ]
    rescored.sort(key=lambda item: (-item[1], item[0]))
    if tail:
        # keep the tail strictly below the head
        offset = min(s for _, s in rescored) - max(s for _, s in tail) - 1e-9
        tail = [(doc, s + offset) for doc, s in tail] if offset < 0 else tail
    return rescored + tail


def put_first(ranked: Ranked, first: Sequence[int]) -> list[tuple[int, float]]:
    """`first` (an author's papers) ahead of the rest: in the order the ranking gave them, then
    those it did not find in `first`'s order, scored as the best hit so far."""
    given = {pid: i for i, pid in enumerate(first)}
    scores = dict(ranked)
    top = ranked[0][1] if ranked else 1.0
    rank = {pid: i for i, (pid, _) in enumerate(ranked)}
    head = sorted(given, key=lambda pid: (pid not in rank, rank.get(pid, 0), given[pid]))
    return [(pid, scores.get(pid, top)) for pid in head] + [
        (pid, score) for pid, score in ranked if pid not in given
    ]
