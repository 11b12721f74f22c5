"""An in-memory vector index over unit-length embeddings: exact inner-product search.

Exact search over float32 is a single matrix-vector product (about 8 ms at 100k papers on this
machine); `bench/search` measures it. Rows are appended in place, so refreshing after new
embeddings costs only the new rows.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np


class VectorIndex:
    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    def __contains__(self, paper_id: int) -> bool:
        return paper_id in self._row_of

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        """Add or replace rows (one per paper id)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        with self._lock:
            for paper_id, vector in zip(ids, vectors, strict=True):
                row = self._row_of.get(int(paper_id))
                if row is None:
                    row = self._append_row(int(paper_id))
                self._vectors[row] = vector

    def _append_row(self, paper_id: int) -> int:
        if self._size == len(self._ids):
            capacity = max(1024, 2 * len(self._ids))
            vectors = np.zeros((capacity, self.dim), dtype=np.float32)
            vectors[: self._size] = self._vectors[: self._size]
            ids = np.full(capacity, -1, dtype=np.int64)
            ids[: self._size] = self._ids[: self._size]
            self._vectors, self._ids = vectors, ids
        row = self._size
        self._ids[row] = paper_id
        self._row_of[paper_id] = row
        self._size += 1
        return row

    def vector_of(self, paper_id: int) -> np.ndarray | None:
        row = self._row_of.get(paper_id)
        return None if row is None else self._vectors[row].copy()

    def search(
        self, query: np.ndarray, limit: int, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """Top `limit` (paper id, cosine similarity), best first."""
        if self._size == 0 or limit <= 0:
            return []
        scores = self._vectors[: self._size] @ np.asarray(query, dtype=np.float32)
        if exclude is not None and exclude in self._row_of:
            scores[self._row_of[exclude]] = -np.inf
        k = min(limit, self._size)
        top = np.argpartition(scores, self._size - k)[self._size - k :]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self._ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]

    def search_with(
        self, query: np.ndarray, limit: int, also: Sequence[int]
    ) -> tuple[list[tuple[int, float]], dict[int, float]]:
        return self.search(query, limit), self.scores_for(query, also)

    def scores_for(self, query: np.ndarray, paper_ids: Sequence[int]) -> dict[int, float]:
        """Cosine similarity of `query` to the given papers (those that have a vector)."""
        rows = [(pid, self._row_of[pid]) for pid in paper_ids if pid in self._row_of]
        if not rows:
            return {}
        matrix = self._vectors[[r for _, r in rows]]
        scores = matrix @ np.asarray(query, dtype=np.float32)
        return {pid: float(s) for (pid, _), s in zip(rows, scores, strict=True)}
