"""What an operator sees (`dailypapers status`, `/admin`): each job's last and next run, the
backlogs and the database size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dailypapers.db.models import JobRun
from dailypapers.digest.store import DigestStore
from dailypapers.jobs.schedule import next_runs
from dailypapers.jobs.steps import STEPS
from dailypapers.jobs.store import JobStore
from dailypapers.papers.store import PaperStore
from dailypapers.search.changes import START, PositionFile
from dailypapers.search.embeddings import MODEL_NAME
from dailypapers.search.store import SearchStore


@dataclass(frozen=True)
class JobStatus:
    name: str
    last: JobRun | None
    next_run: dt.datetime | None  # None: runs continuously (index)


@dataclass(frozen=True)
class StatusReport:
    jobs: list[JobStatus]
    backlogs: dict[str, int]
    database_bytes: int


def backlogs(session: Session, lexical: PositionFile) -> dict[str, int]:
    """Work waiting, from the stores that own it: papers not yet searchable by meaning, changes
    this host's lexical index has not applied yet, digests not yet sent (and those sent, for
    /metrics)."""
    search = SearchStore(session)
    at = lexical.read()
    outbox = DigestStore(session).counts()
    return {
        "papers": PaperStore(session).count_papers(),
        "without_embeddings": search.count_without_embedding(MODEL_NAME),
        "lexical_queue": search.count_changes_after(at.cursor if at else START),
        "digests_pending": outbox.get("pending", 0),
        "digests_in_flight": outbox.get("sending", 0),
        "digests_sent": outbox.get("sent", 0),
    }


def status_report(session: Session, now: dt.datetime, lexical: PositionFile) -> StatusReport:
    store = JobStore(session)
    last = store.last_runs()
    upcoming = next_runs(now)
    jobs = [JobStatus(name, last.get(name), upcoming.get(name)) for name in STEPS]
    return StatusReport(jobs, backlogs(session, lexical), store.database_bytes())
