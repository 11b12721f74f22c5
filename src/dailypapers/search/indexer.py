"""Keeping the search indexes in step with the papers table.

Lexical: the paper store logs changed papers in the same transaction; `sync_lexical` applies the
log to this host's tantivy index from the index's own position (search/changes.py). Semantic:
`embed_pending` embeds papers that have no embedding yet (newest first) and stores the vectors,
in passes down the ids (`_next_to_embed`); `refresh_vectors` loads rows written since the last
refresh.
Every step commits as it goes, so a crash loses at most one batch of work and a rerun resumes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterator

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.db.models import utcnow
from dailypapers.search.changes import RETAIN, START, Cursor, Position, PositionFile
from dailypapers.search.documents import SearchDoc
from dailypapers.search.embeddings import Embedder
from dailypapers.search.interfaces import LexicalIndex, VectorSearch
from dailypapers.search.mapped import BaseInfo, MappedVectors
from dailypapers.search.store import SearchStore

log = logging.getLogger(__name__)
# Papers per embedding round: windows are sorted by length within a round, so a bigger round
# pads less (128 against 32: 5-10% faster, measured interleaved); a crash loses one round.
EMBED_BATCH = 128
MARK_EVERY = dt.timedelta(hours=1)  # a quiet log: how often the position says "still in step"
PRUNE_EVERY = 600.0  # seconds between prunes of the shared log
# A quiet change log means no paper lost its embedding and none came; look anyway this often.
RESCAN_EVERY = 600.0


def text_hash(doc: SearchDoc) -> str:
    return hashlib.sha256(doc.embedding_text.encode()).hexdigest()[:32]


def embed_docs(embedder: Embedder, docs: list[SearchDoc]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One vector per paper (title + abstract) and one per abstract sentence, from one pass."""
    return embedder.embed_papers([d.embedding_text for d in docs], [d.sentences for d in docs])


class SearchIndexer:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        lexical: LexicalIndex,
        vectors: VectorSearch,
        embedder: Embedder | None,
        position: PositionFile | None = None,
    ) -> None:
        self.sessions = sessions
        self.position = position or PositionFile(None)
        self._pruned = -PRUNE_EVERY
        self.lexical = lexical
        self.vectors = vectors
        self.embedder = embedder
        self._last_embedding_id = 0
        self._pass: tuple[int, int] | None = None  # (highest id at its start, ids done down to)
        self._quiet: tuple[Cursor, float] | None = None  # log head, time: a pass found nothing

    def sync_lexical(self, batch: int = 20_000) -> int:
        """Apply the change log to the lexical index from where it stands; returns how many
        changes were applied. IndexBusy when another process is doing it."""
        with self.position.exclusive():
            at = self.position.read()
            now = utcnow()
            if (at is None and self.lexical.count() == 0) or (at is not None and at.stale(now)):
                return self._rebuild()  # new, or away longer than the log keeps
            cursor = START if at is None else at.cursor  # None: an index from before the log
            done = 0
            while True:
                with self.sessions() as session:
                    store = SearchStore(session)
                    changes = store.changes_after(cursor, batch)
                    ids = list(dict.fromkeys(paper_id for _, paper_id in changes))
                    docs = store.docs(ids)
                if changes:
                    self.lexical.upsert(docs)
                    gone = set(ids) - {d.paper_id for d in docs}
                    if gone:
                        self.lexical.delete(sorted(gone))
                    cursor = changes[-1][0]
                    done += len(changes)
                if changes or at is None or now - at.synced_at > MARK_EVERY:
                    at = Position(cursor, now)
                    self.position.write(at)
                    self._prune(at)
                if len(changes) < batch:
                    return done

    def _prune(self, at: Position) -> None:
        """Forget changes older than the log keeps, at most every PRUNE_EVERY seconds. Not
        the ones this index has applied: other hosts (or a command run with another search
        folder) read the same log."""
        if time.monotonic() - self._pruned < PRUNE_EVERY:
            return
        with self.sessions() as session:
            SearchStore(session).prune_changes(at.synced_at - RETAIN)
            session.commit()
        self._pruned = time.monotonic()

    def rebuild_lexical(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the lexical index from the papers table."""
        with self.position.exclusive():
            return self._rebuild(progress)

    def _rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        with self.sessions() as session:
            store = SearchStore(session)
            head = store.log_head()  # what changes later is applied from the log
            now = utcnow()
            total = self.lexical.replace_all(store.all_docs(), progress)  # one commit
        at = Position(head, now)
        self.position.write(at)
        self._prune(at)
        return total

    def pending_embeddings(self) -> int:
        if self.embedder is None:
            return 0
        with self.sessions() as session:
            return SearchStore(session).count_without_embedding(self.embedder.name)

    def embed_pending(
        self,
        batch: int = EMBED_BATCH,
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Embed papers that lack an embedding, committing each batch; returns how many."""
        if self.embedder is None:
            return 0
        done = 0
        while limit is None or done < limit:
            size = batch if limit is None else min(batch, limit - done)
            docs = self._next_to_embed(size)
            if not docs:
                break
            vectors, sentences = embed_docs(self.embedder, docs)
            with self.sessions() as session:
                store = SearchStore(session)
                store.save_embeddings(
                    self.embedder.name, docs, vectors, [text_hash(d) for d in docs], sentences
                )
                session.commit()
            done += len(docs)
            if progress:
                progress(len(docs))
        return done

    def _next_to_embed(self, size: int) -> list[SearchDoc]:
        """The next papers without an embedding, newest first, in passes down the ids: each
        round goes on below the last (so it does not step again over every paper embedded so
        far: at a million papers that scan took 0.9 s a round), after papers added since the
        pass began. At the bottom a new pass starts from the top, for papers edited meanwhile.
        A pass from the top that finds nothing notes the change log's head: until the log
        moves (every new or edited paper is logged), there is nothing to look for."""
        assert self.embedder is not None
        model = self.embedder.name
        with self.sessions() as session:
            store = SearchStore(session)
            if self._pass is not None:
                top, below = self._pass
                docs = store.docs_without_embedding(model, size, above=top)  # newer arrivals
                if docs:
                    return docs
                docs = store.docs_without_embedding(model, size, below=below)
                if docs:
                    self._pass = top, docs[-1].paper_id
                    return docs
                self._pass = None  # the bottom: once more from the top
            head = store.log_head()  # read before the scan: what is logged later is looked for
            quiet = self._quiet
            if quiet and quiet[0] == head and time.monotonic() - quiet[1] < RESCAN_EVERY:
                return []
            docs = store.docs_without_embedding(model, size)
        if docs:
            self._pass, self._quiet = (docs[0].paper_id, docs[-1].paper_id), None
        else:
            self._quiet = head, time.monotonic()
        return docs

    def compact_vectors(
        self, force: bool = False, progress: Callable[[int], None] | None = None
    ) -> BaseInfo | None:
        """Fold embeddings written since the mapped graph was built into a new generation of
        it, when there are enough of them (or `force`); None when nothing was done. GraphBusy
        when another process is doing it."""
        if not isinstance(self.vectors, MappedVectors) or self.embedder is None:
            return None
        model = self.embedder.name
        with self.vectors.building():
            with self.sessions() as session:
                store = SearchStore(session)
                fresh = store.count_embeddings(model, after=self.vectors.watermark)
                total = store.count_embeddings(model)
            if not fresh or not (force or self.vectors.should_compact(fresh, total)):
                return None
            info = self.vectors.compact(self._embeddings_after, progress)
        self._last_embedding_id = max(self._last_embedding_id, info.watermark)
        return info

    def _embeddings_after(self, last_id: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        assert self.embedder is not None
        while True:
            with self.sessions() as session:
                rows = SearchStore(session).embeddings_after(last_id, self.embedder.name)
            if not rows:
                return
            ids = np.array([paper_id for _, paper_id, _ in rows], dtype=np.int64)
            matrix = np.frombuffer(b"".join(v for _, _, v in rows), dtype=np.float32)
            last_id = rows[-1][0]
            yield last_id, ids, matrix.reshape(len(rows), -1)

    def refresh_vectors(self) -> int:
        """Load embeddings written since the last refresh into the vector index (in memory), or
        fill the database's vector column (PostgreSQL + pgvector)."""
        if self.embedder is None:
            return 0
        backfill = getattr(self.vectors, "backfill", None)
        if backfill is not None:
            return int(backfill())
        if isinstance(self.vectors, MappedVectors) and (
            self.vectors.reload() or self._last_embedding_id < self.vectors.watermark
        ):  # a new generation of the mapped graph: it holds every row up to its watermark
            self._last_embedding_id = self.vectors.watermark
        loaded = 0
        for last_id, ids, matrix in self._embeddings_after(self._last_embedding_id):
            self.vectors.add(ids, matrix)
            self._last_embedding_id = last_id
            loaded += len(ids)
        return loaded
