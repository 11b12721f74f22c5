"""Wiring the search parts together for a process, and the background indexing worker."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.search.embeddings import (
    DIM,
    MODEL_NAME,
    Embedder,
    MiniLMEmbedder,
    ModelNotInstalled,
)
from dailypapers.search.indexer import SearchIndexer
from dailypapers.search.interfaces import LexicalIndex, VectorSearch
from dailypapers.search.lexical import IndexBusy, TantivyIndex
from dailypapers.search.mapped import Exact, MappedVectors
from dailypapers.search.postgres import (
    PgLexicalIndex,
    PgVectorIndex,
    has_native_search,
    has_pgvector,
)
from dailypapers.search.service import SearchService
from dailypapers.search.store import SearchStore
from dailypapers.search.vectors import VectorIndex

log = logging.getLogger(__name__)
LEXICAL_DIR = "tantivy-v1"
VECTORS_DIR = "vectors-v1"


@dataclass
class SearchRuntime:
    service: SearchService
    indexer: SearchIndexer
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def catch_up(self, embed_limit: int | None = 0) -> None:
        """One round of background work: lexical queue, new vectors, some embeddings."""
        try:
            self.indexer.sync_lexical()
        except IndexBusy:
            log.debug("lexical index busy; another process is syncing it")
        self.indexer.refresh_vectors()
        if embed_limit != 0 and self.indexer.embed_pending(batch=16, limit=embed_limit):
            self.indexer.refresh_vectors()

    def start_worker(self, interval: float = 2.0) -> None:
        def run() -> None:
            while True:
                try:
                    self.catch_up(embed_limit=64)
                except Exception:  # keep serving; the next round retries
                    log.exception("background indexing failed")
                if self._stop.wait(interval):
                    return

        self._thread = threading.Thread(target=run, name="search-worker", daemon=True)
        self._thread.start()

    def stop_worker(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)


def load_embedder(threads: int | None = None) -> Embedder | None:
    try:
        return MiniLMEmbedder(threads=threads)
    except ModelNotInstalled as exc:
        log.warning("semantic search disabled: %s", exc)
        return None


def build_search(
    settings: Settings,
    sessions: sessionmaker[Session],
    embedder: Embedder | None = None,
    *,
    with_embedder: bool = True,
) -> SearchRuntime:
    assert settings.search_dir is not None
    if embedder is None and with_embedder:
        embedder = load_embedder(settings.embed_threads)
    dim = embedder.dim if embedder else DIM
    lexical: LexicalIndex
    vectors: VectorSearch
    engine = sessions.kw["bind"]
    if _native(settings, engine):
        lexical = PgLexicalIndex(engine)
        if has_pgvector(engine):
            vectors = PgVectorIndex(engine, dim)
        else:
            log.warning("pgvector missing: semantic search keeps its vectors in memory")
            vectors = VectorIndex(dim)
    else:
        lexical = TantivyIndex(settings.search_dir / LEXICAL_DIR)
        model = embedder.name if embedder else MODEL_NAME
        vectors = MappedVectors(
            settings.search_dir / VECTORS_DIR, dim, model, exact=stored_vectors(sessions, model)
        )
    service = SearchService(sessions, lexical, vectors, embedder)
    return SearchRuntime(service, SearchIndexer(sessions, lexical, vectors, embedder))


def stored_vectors(sessions: sessionmaker[Session], model: str) -> Exact:
    """The mapped graph's exact scores: stored float vectors, read by paper id."""

    def read(paper_ids: list[int]) -> dict[int, np.ndarray]:
        with sessions() as session:
            return SearchStore(session).vectors_of(paper_ids, model)

    return read


def _native(settings: Settings, engine: Engine) -> bool:
    """PostgreSQL's own search when asked for, or by default on PostgreSQL."""
    if settings.search_backend == "embedded":
        return False
    native = has_native_search(engine)
    if settings.search_backend == "postgres" and not native:
        raise RuntimeError(
            "DAILYPAPERS_SEARCH_BACKEND=postgres needs PostgreSQL at schema 0007 or later "
            "(run `dailypapers db upgrade`)"
        )
    return native
