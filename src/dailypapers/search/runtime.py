"""Wiring the search parts together for a process, and the background indexing worker."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.search.changes import PositionFile
from dailypapers.search.embeddings import (
    DIM,
    MODEL_NAME,
    Embedder,
    MiniLMEmbedder,
    ModelNotInstalled,
)
from dailypapers.search.indexer import SearchIndexer
from dailypapers.search.interfaces import VectorSearch
from dailypapers.search.lexical import IndexBusy, TantivyIndex
from dailypapers.search.mapped import Exact, MappedVectors
from dailypapers.search.postgres import PgVectorIndex, has_pgvector
from dailypapers.search.service import SearchService
from dailypapers.search.store import SearchStore

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
    vectors: VectorSearch
    engine = sessions.kw["bind"]
    if _pgvector(settings, engine):
        vectors = PgVectorIndex(engine, dim)
    else:
        model = embedder.name if embedder else MODEL_NAME
        vectors = MappedVectors(
            settings.search_dir / VECTORS_DIR, dim, model, exact=stored_vectors(sessions, model)
        )
    lexical = TantivyIndex(settings.search_dir / LEXICAL_DIR)
    service = SearchService(sessions, lexical, vectors, embedder)
    position = lexical_position(settings)
    return SearchRuntime(service, SearchIndexer(sessions, lexical, vectors, embedder, position))


def lexical_position(settings: Settings) -> PositionFile:
    """Where this host's lexical index stands in the database's change log."""
    assert settings.search_dir is not None
    return PositionFile(settings.search_dir / f"{LEXICAL_DIR}.position.json")


def stored_vectors(sessions: sessionmaker[Session], model: str) -> Exact:
    """The mapped graph's exact scores: stored float vectors, read by paper id."""

    def read(paper_ids: list[int]) -> dict[int, np.ndarray]:
        with sessions() as session:
            return SearchStore(session).vectors_of(paper_ids, model)

    return read


def _pgvector(settings: Settings, engine: Engine) -> bool:
    """Vectors in PostgreSQL (pgvector) when asked for, or by default on PostgreSQL with the
    extension; the lexical index is this host's own either way."""
    if settings.search_backend == "embedded":
        return False
    available = engine.dialect.name == "postgresql" and has_pgvector(engine)
    if settings.search_backend == "postgres" and not available:
        raise RuntimeError(
            "DAILYPAPERS_SEARCH_BACKEND=postgres needs PostgreSQL with the pgvector extension "
            "at schema 0007 or later (run `dailypapers db upgrade`)"
        )
    return available
