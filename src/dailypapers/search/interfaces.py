"""The two engine shapes search is written against. Words: each host's tantivy index
(search/lexical.py) on either database. Vectors: exact in memory (search/vectors.py), a
memory-mapped graph (search/mapped.py), or pgvector in PostgreSQL (search/postgres.py). The same
tests run every one (search tests are parametrised over the database backends)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np

from dailypapers.search.documents import SearchDoc
from dailypapers.search.query import ParsedQuery


class LexicalIndex(Protocol):
    def upsert(self, docs: Iterable[SearchDoc]) -> int: ...

    def delete(self, paper_ids: Sequence[int]) -> None: ...

    def replace_all(
        self, batches: Iterable[Sequence[SearchDoc]], progress: Callable[[int], None] | None = None
    ) -> int: ...

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

    def search_with(
        self, query: np.ndarray, limit: int, also: Sequence[int]
    ) -> tuple[list[tuple[int, float]], dict[int, float]]:
        """`search`, and the scores of the papers in `also` that have a vector, read together
        (hybrid search scores the word matches that meaning alone did not find)."""
        ...


Hits = list[tuple[int, float]]


class SearchesWith:
    """`search` and `search_with` for an engine that reads its nearest papers and the scores of
    given ones together, in `_search`."""

    def _search(
        self, query: np.ndarray, limit: int, exclude: int | None, also: Sequence[int]
    ) -> tuple[Hits, dict[int, float]]:
        raise NotImplementedError

    def search(self, query: np.ndarray, limit: int, exclude: int | None = None) -> Hits:
        return self._search(query, limit, exclude, ())[0]

    def search_with(
        self, query: np.ndarray, limit: int, also: Sequence[int]
    ) -> tuple[Hits, dict[int, float]]:
        return self._search(query, limit, None, also)
