"""The two engine shapes search is written against; one implementation each for the embedded
default (tantivy, in-memory vectors) and for PostgreSQL (tsvector, pgvector). The same tests run
both (every search test is parametrised over the database backends)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from dailypapers.search.documents import SearchDoc
from dailypapers.search.query import ParsedQuery


class LexicalIndex(Protocol):
    def upsert(self, docs: Iterable[SearchDoc]) -> int: ...

    def delete(self, paper_ids: Sequence[int]) -> None: ...

    def clear(self) -> None: ...

    def count(self) -> int: ...

    def search(self, query: ParsedQuery, limit: int) -> list[tuple[int, float]]: ...


class VectorSearch(Protocol):
    dim: int

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None: ...

    def vector_of(self, paper_id: int) -> np.ndarray | None: ...

    def search(
        self, query: np.ndarray, limit: int, exclude: int | None = None
    ) -> list[tuple[int, float]]: ...

    def scores_for(self, query: np.ndarray, paper_ids: list[int]) -> dict[int, float]: ...
