"""The hybrid ranking used by default. Tuned on SciFact train; see docs/decisions.md."""

from __future__ import annotations

import numpy as np

from dailypapers.search.fusion import Ranked, reciprocal_rank_fusion
from dailypapers.search.vectors import VectorIndex

RRF_K = 10.0


def hybrid_rank(
    lexical: Ranked, semantic: Ranked, query_vector: np.ndarray, vectors: VectorIndex
) -> list[tuple[int, float]]:
    return reciprocal_rank_fusion([lexical, semantic], k=RRF_K)
