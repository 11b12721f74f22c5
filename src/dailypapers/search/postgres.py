"""Search inside PostgreSQL: full-text search (tsvector + GIN) and pgvector (HNSW), behind the same
interface as the embedded engines (tantivy + in-memory vectors), so every web worker shares one
index in the database instead of keeping its own.

Lexical: `paper_search.document` = title (weight A) + authors (B) + abstract (D), ranked with
`ts_rank_cd` (cover density; PostgreSQL has no BM25, see docs/decisions.md). Semantic:
`paper_embeddings.embedding vector(384)` with an HNSW index on inner product (the vectors are unit
length, so that is cosine). Both objects exist only on PostgreSQL (migration 0007).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Engine, bindparam, text

from dailypapers.search.documents import SearchDoc
from dailypapers.search.query import ParsedQuery

COUNT_TTL = 5.0  # seconds a count is reused (it only feeds "covers N of M papers" notes)
COMMON_SHARE = 0.05  # a word in more than 5% of papers does not widen an OR query
COMMON_TTL = 600.0
_UPSERT = text(
    "INSERT INTO paper_search (paper_id, document) VALUES (:paper_id, "
    "setweight(to_tsvector('english', :title), 'A') || "
    "setweight(to_tsvector('simple', :authors), 'B') || "
    "setweight(to_tsvector('english', :abstract), 'D')) "
    "ON CONFLICT (paper_id) DO UPDATE SET document = EXCLUDED.document"
)


def has_native_search(engine: Engine) -> bool:
    """True when the database is PostgreSQL with migration 0007's search objects."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT to_regclass('paper_search') IS NOT NULL")).scalar())


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


class PgLexicalIndex(_Counted):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine, "SELECT count(*) FROM paper_search")
        self._common: tuple[dict[str, float], float] = ({}, -COMMON_TTL)

    def upsert(self, docs: Iterable[SearchDoc]) -> int:
        rows = [
            {
                "paper_id": d.paper_id,
                "title": d.title,
                "authors": " ".join(d.authors),
                "abstract": d.abstract,
            }
            for d in docs
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(_UPSERT, rows)
            self._stale()
        return len(rows)

    def delete(self, paper_ids: Sequence[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text("DELETE FROM paper_search WHERE paper_id = ANY(:ids)"),
                {"ids": list(paper_ids)},
            )
        self._stale()

    def clear(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("TRUNCATE paper_search"))
        self._stale()

    def search(self, query: ParsedQuery, limit: int) -> list[tuple[int, float]]:
        """Top `limit` (paper id, rank), best first. Any word may match (OR), as with tantivy;
        papers matching more of them, and in the title, rank higher. Words found in a large
        share of papers are left out of the OR (they would make PostgreSQL rank most of the
        table for little signal, as a low IDF does in BM25); phrases always stay."""
        if query.is_empty or limit <= 0:
            return []
        with self.engine.connect() as conn:
            terms = self._selective(conn, query.terms)
            parts: list[str] = []
            params: dict[str, object] = {"limit": limit}
            if terms:
                parts.append("to_tsquery('simple', :terms)")
                params["terms"] = " | ".join(_quote(t) for t in terms)
            for i, phrase in enumerate(query.phrases):
                parts.append(f"phraseto_tsquery('english', :p{i})")
                params[f"p{i}"] = " ".join(phrase)
            if not parts:
                return []
            sql = text(
                "SELECT paper_id, ts_rank_cd(document, q) AS score "  # noqa: S608 (bound values)
                f"FROM paper_search, (SELECT {' || '.join(parts)} AS q) AS query "
                "WHERE document @@ q ORDER BY score DESC, paper_id LIMIT :limit"
            )
            return [(int(r[0]), float(r[1])) for r in conn.execute(sql, params)]

    def _selective(self, conn: Any, words: Sequence[str]) -> list[str]:
        """The query's lexemes (stemmed as the index is), without the very common ones; the
        two rarest-looking stay when every one is common."""
        if not words:
            return []
        lexemes = (
            conn.execute(
                text("SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('english', :t)))"),
                {"t": " ".join(words)},
            )
            .scalars()
            .all()
        )
        common = self._common_lexemes(conn)
        kept = [x for x in lexemes if common.get(x, 0.0) <= COMMON_SHARE]
        if kept:
            return kept
        return sorted(lexemes, key=lambda x: common.get(x, 0.0))[:2]

    def _common_lexemes(self, conn: Any) -> dict[str, float]:
        """Lexeme -> share of papers, from PostgreSQL's own statistics (ANALYZE), cached."""
        value, at = self._common
        if time.monotonic() - at < COMMON_TTL:
            return value
        row = conn.execute(
            text(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'paper_search' AND attname = 'document'"
            )
        ).first()
        value = {}
        if row is not None and row[0] is not None:
            value = dict(zip(row[0], (float(f) for f in row[1]), strict=False))
        self._common = (value, time.monotonic())
        return value

    def analyze(self) -> None:
        """Refresh the statistics the common-word cut reads (after large loads)."""
        with self.engine.begin() as conn:
            conn.execute(text("ANALYZE paper_search"))
        self._common = ({}, -COMMON_TTL)


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _literal(vector: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in np.asarray(vector, dtype=np.float32)) + "]"


def _parse(value: str) -> np.ndarray:
    return np.array(value.strip("[]").split(","), dtype=np.float32)


class PgVectorIndex(_Counted):
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

    def search(
        self, query: np.ndarray, limit: int, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        if limit <= 0:
            return []
        params: dict[str, Any] = {"q": _literal(query), "k": limit, "ex": exclude or -1}
        with self.engine.begin() as conn:
            # the HNSW candidate list must be at least as long as what is asked for
            ef = max(self.ef_search, min(limit + 1, 1000))
            conn.execute(text(f"SET LOCAL hnsw.ef_search = {int(ef)}"))
            rows = conn.execute(
                text(
                    "SELECT paper_id, -(embedding <#> CAST(:q AS vector)) AS score "
                    "FROM paper_embeddings WHERE embedding IS NOT NULL AND paper_id <> :ex "
                    "ORDER BY embedding <#> CAST(:q AS vector) LIMIT :k"
                ),
                params,
            ).all()
        return [(int(r[0]), float(r[1])) for r in rows]

    def scores_for(self, query: np.ndarray, paper_ids: list[int]) -> dict[int, float]:
        if not paper_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT paper_id, -(embedding <#> CAST(:q AS vector)) FROM paper_embeddings "
                    "WHERE paper_id IN :ids AND embedding IS NOT NULL"
                ).bindparams(bindparam("ids", expanding=True)),
                {"q": _literal(query), "ids": list(paper_ids)},
            ).all()
        return {int(r[0]): float(r[1]) for r in rows}
