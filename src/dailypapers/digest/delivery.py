"""Delivery: send what planning put in the outbox, exactly once.

Delivering claims one row at a time and commits it as 'sending' *before* SMTP sees it; only then is
it handed over, and marked 'sent' after the server's 250. A crash leaves at most that one row
'sending': `digest status` lists it and nobody resends it blind.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.db.models import utcnow
from dailypapers.digest.compose import Digest
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
from dailypapers.digest.planner import paper_view
from dailypapers.digest.render import PaperView, Renderer, heading_for
from dailypapers.digest.reports import RunReport
from dailypapers.digest.services import links_for
from dailypapers.digest.store import Claim, DigestStore
from dailypapers.papers.periods import Period

TRIES = 3  # in-run tries of one message on a transient error
MAX_ATTEMPTS = 6  # runs after which a message that keeps failing transiently is dropped
RETRY_LATER = dt.timedelta(minutes=10)


class Delivery:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        mailers: Callable[[], Mailer],
        papers: dict[int, PaperView],
        sleep: Callable[[float], None] = time.sleep,
        on_progress: Callable[[str, int], None] | None = None,
        workers: int = 1,
    ) -> None:
        """`mailers` makes one mailer (SMTP connection) per delivering thread; with `workers`
        threads, one composes and marks the next mail while another waits on the SMTP server.
        `papers` caches what mails show of each paper (planning fills it)."""
        self.sessions = sessions
        self.settings = settings
        self.mailers = mailers
        self.workers = workers
        self.sleep = sleep
        self.on_progress = on_progress or (lambda stage, n: None)
        self.key = settings.signing_key()
        self.renderer = Renderer(settings.site_name)
        self._papers = papers
        self._lock = threading.Lock()

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
                        self._papers[paper.id] = paper_view(paper)
