"""`digest send`: plan every reader's digest for a period into the outbox (digest/planner.py),
then deliver it (digest/delivery.py). The exactly-once rules are in those modules and in
docs/decisions.md ("Digest outbox").
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.digest.compose import FREQUENCIES
from dailypapers.digest.delivery import Delivery
from dailypapers.digest.mail import Mailer
from dailypapers.digest.planner import BATCH, Planner
from dailypapers.digest.render import PaperView
from dailypapers.digest.reports import RunReport
from dailypapers.digest.store import DigestStore
from dailypapers.papers.periods import Period, day_period, week_period
from dailypapers.search.embeddings import Embedder


def digest_period(frequency: str, day: dt.date) -> Period | None:
    """The period a run on `day` covers; None for a daily run on a weekend (weekdays only)."""
    if frequency == "weekly":
        return week_period(day)
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be daily or weekly, not {frequency!r}")
    return day_period(day) if day.weekday() < 5 else None


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
        self.sessions = sessions
        papers: dict[int, PaperView] = {}
        self.planner = Planner(sessions, settings, papers, embedder, on_progress, batch)
        self.delivery = Delivery(sessions, settings, mailers, papers, sleep, on_progress, workers)

    def run(self, frequency: str, day: dt.date) -> RunReport:
        period = digest_period(frequency, day)
        report = RunReport(frequency, period.key if period else "")
        if period is None:
            friday = day - dt.timedelta(days=day.weekday() - 4)
            report.stopped = (
                f"daily digests go out on weekdays only, and {day} is a {day:%A} "
                f"(--date {friday} sends Friday's)"
            )
            return report
        self.plan(frequency, period, report)
        self.deliver(frequency, period, report)
        with self.sessions() as session:
            report.in_flight = [
                o.id for o, _ in DigestStore(session).in_flight() if o.period == period.key
            ]
        return report

    def plan(self, frequency: str, period: Period, report: RunReport) -> None:
        self.planner.plan(frequency, period, report)

    def deliver(self, frequency: str, period: Period, report: RunReport) -> None:
        self.delivery.deliver(frequency, period, report)


__all__ = ["FREQUENCIES", "DigestSender", "RunReport", "digest_period"]
