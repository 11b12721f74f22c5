"""Planning: compose every reader's digest for a period and put it in the outbox.

Planning inserts one outbox row per (reader, frequency, period), or skips it when it exists, in the
same transaction as the reader's papers, so reruns and concurrent runs plan nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.db.models import Paper, Subscriber
from dailypapers.digest.compose import Candidate, Interests, Pool, compose
from dailypapers.digest.render import PaperView
from dailypapers.digest.reports import RunReport
from dailypapers.digest.services import interests_of
from dailypapers.digest.store import DigestStore, PlannedDigest
from dailypapers.papers.periods import Period
from dailypapers.papers.store import PaperStore
from dailypapers.ranking.trending import sort_trending
from dailypapers.search.embeddings import MODEL_NAME, Embedder, normalize

POOL_LIMIT = 2000  # most papers a period offers to composing (a busy week has a few hundred)
BATCH = 1000
MAX_FOLLOWED = 100  # authors, and keywords, one digest matches at most


class Planner:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        papers: dict[int, PaperView],
        embedder: Embedder | None = None,
        on_progress: Callable[[str, int], None] | None = None,
        batch: int = BATCH,
    ) -> None:
        """`papers` is filled with the pool's papers, for delivery to render from."""
        self.sessions = sessions
        self.settings = settings
        self.papers = papers
        self.embedder = embedder
        self.on_progress = on_progress or (lambda stage, n: None)
        self.batch = batch

    def plan(self, frequency: str, period: Period, report: RunReport) -> None:
        pool = self._pool(period)
        report.pool = len(pool)
        if not len(pool):
            return
        pool_ids = [c.paper_id for c in pool.candidates]
        after = 0
        while True:
            with self.sessions() as session:
                store = DigestStore(session)
                readers = store.readers_without_digest(frequency, period.key, after, self.batch)
                if not readers:
                    break
                after = readers[-1].id
                planned = self._compose_batch(store, pool, pool_ids, readers, frequency, period)
                report.readers += len(readers)
                report.empty += len(readers) - len(planned)
                report.planned += store.add_digests(planned)
                session.commit()
            self.on_progress("plan", len(readers))

    def _pool(self, period: Period) -> Pool:
        with self.sessions() as session:
            items = PaperStore(session).feed(period.start, period.end, limit=POOL_LIMIT)
            ranked = sort_trending(items, period.end)
            candidates = [
                Candidate(
                    i.paper.id,
                    i.paper.title,
                    i.paper.abstract,
                    tuple(i.paper.author_names),
                    tuple((i.paper.categories or "").split()),
                )
                for i in ranked
            ]
            self.papers.update({i.paper.id: paper_view(i.paper) for i in ranked})
            stored = DigestStore(session).vectors([c.paper_id for c in candidates], MODEL_NAME)
        vectors = None
        if stored and self.embedder is not None:
            dim = len(next(iter(stored.values()))) // 4
            vectors = np.zeros((len(candidates), dim), dtype=np.float32)
            for row, candidate in enumerate(candidates):
                if candidate.paper_id in stored:
                    vectors[row] = np.frombuffer(stored[candidate.paper_id], dtype=np.float32)
        return Pool(candidates, vectors, {})

    def _compose_batch(
        self,
        store: DigestStore,
        pool: Pool,
        pool_ids: list[int],
        readers: Sequence[Subscriber],
        frequency: str,
        period: Period,
    ) -> list[PlannedDigest]:
        interests = {r.id: interests_of(r) for r in readers}
        followed = store.followed([r.user_id for r in readers if r.user_id])
        for reader in readers:
            if reader.user_id in followed:
                people, searches = followed[reader.user_id]
                mine = interests[reader.id]
                interests[reader.id] = replace(
                    mine,
                    authors=tuple(dict.fromkeys([*mine.authors, *people]))[:MAX_FOLLOWED],
                    keywords=tuple(dict.fromkeys([*mine.keywords, *searches]))[:MAX_FOLLOWED],
                )
        self._embed_keywords(pool, interests.values())
        sent = store.sent_papers([r.id for r in readers], pool_ids)
        profiles = self._profiles(store, [r for r in readers if interests[r.id].like_upvoted])
        planned = []
        for reader in readers:
            digest = compose(
                pool,
                interests[reader.id],
                sent.get(reader.id, ()),
                profiles.get(reader.user_id) if reader.user_id else None,
                self.settings.digest_trending,
                self.settings.digest_for_you,
            )
            if digest.is_empty:
                continue
            content = json.dumps(digest.to_json(), ensure_ascii=False)
            planned.append(
                PlannedDigest(reader.id, frequency, period.key, content, tuple(digest.paper_ids))
            )
        return planned

    def _embed_keywords(self, pool: Pool, interests: Iterable[Interests]) -> None:
        if self.embedder is None or pool.vectors is None:
            return
        known = pool.keyword_vectors
        assert isinstance(known, dict)
        wanted = sorted({k for i in interests for k in i.keywords if k not in known})
        if wanted:
            known.update(zip(wanted, self.embedder.embed(wanted), strict=True))

    def _profiles(self, store: DigestStore, readers: Sequence[Subscriber]) -> dict[int, np.ndarray]:
        user_ids = [r.user_id for r in readers if r.user_id]
        if not user_ids or self.embedder is None:
            return {}
        profiles = {}
        for user_id, blobs in store.upvoted_vectors(user_ids, MODEL_NAME).items():
            matrix = np.stack([np.frombuffer(b, dtype=np.float32) for b in blobs])
            profiles[user_id] = normalize(matrix.mean(axis=0))
        return profiles


def paper_view(paper: Paper) -> PaperView:
    return PaperView(
        paper.arxiv_id, paper.title, tuple(paper.author_names), paper.abstract or "", paper.votes
    )
