"""Semantic search inside PostgreSQL: pgvector (HNSW) behind the same interface as the embedded
memory-mapped graph, so every web worker on every host shares one vector index in the database.

`paper_embeddings.embedding vector(384)` with an HNSW index on inner product (the vectors are
unit length, so that is cosine); the column exists only on PostgreSQL (migration 0007). Words are
searched by each host's own BM25 index, fed from the database's change log (search/changes.py);
PostgreSQL's full-text ranking was replaced by it (docs/decisions.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import Engine, bindparam, text

from dailypapers.search.interfaces import SearchesWith

COUNT_TTL = 5.0  # seconds a count is reused (it only feeds "covers N of M papers" notes)


def has_pgvector(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT 1 FROM information_schema.columns WHERE table_name = "
                    "'paper_embeddings' AND column_name = 'embedding'"
                )
            ).scalar()
        )


class _Counted:
    def __init__(self, engine: Engine, sql: str) -> None:
        self.engine = engine
        self._sql = text(sql)
        self._value = (0, -COUNT_TTL)
        self._lock = threading.Lock()

    def count(self) -> int:
        value, at = self._value
        if time.monotonic() - at < COUNT_TTL:
            return value
        with self.engine.connect() as conn:
            value = int(conn.execute(self._sql).scalar() or 0)
        with self._lock:
            self._value = (value, time.monotonic())
        return value

    def _stale(self) -> None:
        self._value = (0, -COUNT_TTL)


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32)) + "]"


def _parse(value: str) -> np.ndarray:
    return np.array(value.strip("[]").split(","), dtype=np.float32)


class PgVectorIndex(_Counted, SearchesWith):
    """pgvector HNSW over `paper_embeddings.embedding`; vectors stay in the database."""

    in_database = True

    def __init__(self, engine: Engine, dim: int, ef_search: int = 100) -> None:
        super().__init__(
            engine, "SELECT count(*) FROM paper_embeddings WHERE embedding IS NOT NULL"
        )
        self.dim = dim
        self.ef_search = ef_search

    def __len__(self) -> int:
        return self.count()

    def __contains__(self, paper_id: int) -> bool:
        return self.vector_of(paper_id) is not None

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        rows = [{"id": int(i), "v": _literal(v)} for i, v in zip(ids, vectors, strict=True)]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE paper_embeddings SET embedding = CAST(:v AS vector) "
                        "WHERE paper_id = :id"
                    ),
                    rows,
                )
            self._stale()

    def backfill(self, batch: int = 2000) -> int:
        """Fill the vector column of rows that have only the bytes (new embeddings, or an
        instance copied from SQLite); returns how many. Safe to run from several processes."""
        done = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT paper_id, vector FROM paper_embeddings WHERE embedding IS NULL "
                        "ORDER BY id LIMIT :n"
                    ),
                    {"n": batch},
                ).all()
            if not rows:
                return done
            ids = [r[0] for r in rows]
            matrix = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype=np.float32)
            self.add(ids, matrix.reshape(len(rows), -1))
            done += len(rows)

    def vector_of(self, paper_id: int) -> np.ndarray | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                text("SELECT embedding::text FROM paper_embeddings WHERE paper_id = :id"),
                {"id": paper_id},
            ).scalar()
        return None if value is None else _parse(value)

    def _search(
        self, query: np.ndarray, limit: int, exclude: int | None, also: Sequence[int]
    ) -> tuple[list[tuple[int, float]], dict[int, float]]:
        """The nearest `limit` and the scores of `also`, in one statement."""
        nearest = (
            "(SELECT paper_id, -(embedding <#> CAST(:q AS vector)) AS score, 1 AS hit "
            "FROM paper_embeddings WHERE embedding IS NOT NULL AND paper_id <> :ex "
            "ORDER BY embedding <#> CAST(:q AS vector) LIMIT :k)"
        )
        given = (
            "(SELECT paper_id, -(embedding <#> CAST(:q AS vector)), 0 FROM paper_embeddings "
            "WHERE paper_id IN :ids AND embedding IS NOT NULL)"
        )
        parts = ([nearest] if limit > 0 else []) + ([given] if also else [])
        if not parts:
            return [], {}
        statement = text(" UNION ALL ".join(parts))
        params: dict[str, Any] = {"q": _literal(query), "k": limit, "ex": exclude or -1}
        if also:
            statement = statement.bindparams(bindparam("ids", expanding=True))
            params["ids"] = list(also)
        with self.engine.begin() as conn:
            # the HNSW candidate list must be at least as long as what is asked for
            ef = max(self.ef_search, min(limit + 1, 1000))
            conn.execute(text(f"SET LOCAL hnsw.ef_search = {int(ef)}"))
            rows = conn.execute(statement, params).all()
        hits = sorted(((int(r[0]), float(r[1])) for r in rows if r[2]), key=lambda h: -h[1])
        return hits, {int(r[0]): float(r[1]) for r in rows if not r[2]}
