"""`digest send`: plan every reader's digest for a period into the outbox, then deliver it.

Exactly-once rules (docs/decisions.md, "Digest outbox"):
- planning inserts one outbox row per (reader, frequency, period) or skips it when it exists, in
  the same transaction as the reader's papers, so reruns and concurrent runs plan nothing twice;
- delivering claims one row at a time and commits it as 'sending' *before* SMTP sees it; only
  then is it handed over, and marked 'sent' after the server's 250. A crash leaves at most that one
  row 'sending': `digest status` lists it and nobody resends it blind.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.db.models import Subscriber, utcnow
from dailypapers.digest.compose import Candidate, Digest, Pool, compose
from dailypapers.digest.mail import (
    MailConnectionError,
    Mailer,
    MailSetupError,
    Outgoing,
    PermanentMailError,
    TransientMailError,
    build_message,
    domain_of,
)
from dailypapers.digest.render import Links, PaperView, Renderer, heading_for
from dailypapers.digest.services import interests_of, links_for
from dailypapers.digest.store import Claim, DigestStore, PlannedDigest
from dailypapers.papers.periods import Period, day_period, week_period
from dailypapers.papers.store import PaperStore
from dailypapers.ranking.trending import sort_trending
from dailypapers.search.embeddings import MODEL_NAME, Embedder, normalize

log = logging.getLogger(__name__)

FREQUENCIES = ("daily", "weekly")
POOL_LIMIT = 2000  # most papers a period offers to composing (a busy week has a few hundred)
BATCH = 1000
TRIES = 3  # in-run tries of one message on a transient error
MAX_ATTEMPTS = 6  # runs after which a message that keeps failing transiently is dropped
RETRY_LATER = dt.timedelta(minutes=10)


def digest_period(frequency: str, day: dt.date) -> Period | None:
    """The period a run on `day` covers; None for a daily run on a weekend (weekdays only)."""
    if frequency == "weekly":
        return week_period(day)
    if frequency != "daily":
        raise ValueError(f"frequency must be daily or weekly, not {frequency!r}")
    return day_period(day) if day.weekday() < 5 else None


@dataclass
class RunReport:
    frequency: str
    period: str
    pool: int = 0
    readers: int = 0
    planned: int = 0
    empty: int = 0
    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    stopped: str | None = None
    in_flight: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class DigestSender:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        mailers: Callable[[], Mailer],
        embedder: Embedder | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_progress: Callable[[str, int], None] | None = None,
        batch: int = BATCH,
        workers: int = 1,
    ) -> None:
        """`mailers` makes one mailer (SMTP connection) per delivering thread; with `workers`
        threads, one composes and marks the next mail while another waits on the SMTP server."""
        self.sessions = sessions
        self.settings = settings
        self.mailers = mailers
        self.workers = workers
        self.embedder = embedder
        self.sleep = sleep
        self.on_progress = on_progress or (lambda stage, n: None)
        self.batch = batch
        self.key = settings.signing_key()
        self.renderer = Renderer(settings.site_name)
        self._papers: dict[int, PaperView] = {}
        self._lock = threading.Lock()

    def run(self, frequency: str, day: dt.date) -> RunReport:
        period = digest_period(frequency, day)
        report = RunReport(frequency, period.key if period else "")
        if period is None:
            report.stopped = "daily digests go out on weekdays only"
            return report
        self.plan(frequency, period, report)
        self.deliver(frequency, period, report)
        with self.sessions() as session:
            report.in_flight = [
                o.id for o, _ in DigestStore(session).in_flight() if o.period == period.key
            ]
        return report

    # --- planning -----------------------------------------------------------------------------

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
            self._papers.update({i.paper.id: _view(i.paper) for i in ranked})
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

    def _embed_keywords(self, pool: Pool, interests: object) -> None:
        if self.embedder is None or pool.vectors is None:
            return
        known = pool.keyword_vectors
        assert isinstance(known, dict)
        wanted = sorted({k for i in interests for k in i.keywords if k not in known})  # type: ignore[attr-defined]
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

    # --- delivering ---------------------------------------------------------------------------

    def deliver(self, frequency: str, period: Period, report: RunReport) -> None:
        stop = threading.Event()
        failures: list[BaseException] = []

        def work() -> None:
            mailer = self.mailers()
            try:
                with self.sessions() as session:
                    self._deliver_all(session, mailer, frequency, period, report, stop)
            except (MailSetupError, MailConnectionError) as exc:
                with self._lock:
                    report.stopped = report.stopped or str(exc)
                stop.set()
            except BaseException as exc:  # surfaced in the calling thread below
                failures.append(exc)
                stop.set()
            finally:
                mailer.close()

        if self.workers <= 1:
            work()
        else:
            threads = [threading.Thread(target=work) for _ in range(self.workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if failures:
            raise failures[0]

    def _deliver_all(
        self,
        session: Session,
        mailer: Mailer,
        frequency: str,
        period: Period,
        report: RunReport,
        stop: threading.Event,
    ) -> None:
        store = DigestStore(session)
        while not stop.is_set():
            claim = store.claim_next(frequency, period.key)
            session.commit()  # the in-flight mark, durable before SMTP sees the message
            if claim is None:
                return
            if claim.subscriber_status != "active":
                DigestStore(session).cancel(claim.id)
                session.commit()
                continue
            outcome = self._deliver_one(session, mailer, claim, period)
            with self._lock:
                setattr(report, outcome, getattr(report, outcome) + 1)
            self.on_progress("send", 1)

    def _deliver_one(self, session: Session, mailer: Mailer, claim: Claim, period: Period) -> str:
        message = self._message(claim, period)
        for attempt in range(TRIES):
            try:
                mailer.send(message)
            except PermanentMailError as exc:
                DigestStore(session).mark_failed(claim, str(exc))
                session.commit()
                return "failed"
            except MailSetupError:
                DigestStore(session).release(claim.id, "stopped", utcnow())
                session.commit()
                raise
            except TransientMailError as exc:
                if attempt + 1 < TRIES:
                    self.sleep(self.settings.digest_retry_base * 2**attempt)
                    continue
                return self._retry_later(session, claim, exc)
            else:
                DigestStore(session).mark_sent(claim.id)
                session.commit()
                return "sent"
        raise AssertionError("unreachable")

    def _retry_later(self, session: Session, claim: Claim, exc: TransientMailError) -> str:
        if isinstance(exc, MailConnectionError):
            # the server, not this message: due again at once, and the run stops here
            DigestStore(session).release(claim.id, str(exc), utcnow())
            session.commit()
            raise exc
        if claim.attempts >= MAX_ATTEMPTS:
            error = f"gave up after {claim.attempts} runs: {exc}"
            DigestStore(session).mark_failed(claim, error, False)
            session.commit()
            return "failed"
        retry_at = utcnow() + RETRY_LATER * 2 ** (claim.attempts - 1)
        DigestStore(session).release(claim.id, str(exc), retry_at)
        session.commit()
        return "retry_later"

    def _message(self, claim: Claim, period: Period) -> Outgoing:
        digest = Digest.from_json(json.loads(claim.content))
        self._load_papers(digest.paper_ids)
        links = links_for(self.settings, self.key, claim.token)
        rendered = self.renderer.digest(
            digest,
            self._papers,
            email=claim.email,
            frequency=claim.frequency,
            heading=heading_for(claim.frequency, period.start, period.end),
            links=links,
        )
        domain = domain_of(self.settings.mail_from)
        return build_message(
            rendered,
            sender=self.settings.mail_from,
            to=claim.email,
            # stable per outbox row: should a digest ever go twice, clients can drop the copy
            message_id=f"<digest.{claim.id}.{claim.period}@{domain}>",
            unsubscribe_url=links.unsubscribe_url,
            list_id=f"{self.settings.site_name} digest <digest.{domain}>",
        )

    def _load_papers(self, paper_ids: Sequence[int]) -> None:
        with self._lock:
            missing = [i for i in paper_ids if i not in self._papers]
            if missing:
                with self.sessions() as session:
                    for paper in DigestStore(session).papers(missing):
                        self._papers[paper.id] = _view(paper)


def _view(paper) -> PaperView:  # type: ignore[no-untyped-def]
    return PaperView(
        paper.arxiv_id, paper.title, tuple(paper.author_names), paper.abstract or "", paper.votes
    )


__all__ = ["FREQUENCIES", "DigestSender", "Links", "RunReport", "digest_period"]
