"""What an operator sees (`dailypapers status`, `/admin`): each job's last and next run, the
backlogs and the database size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dailypapers.db.models import JobRun
from dailypapers.jobs.schedule import next_runs
from dailypapers.jobs.steps import STEPS
from dailypapers.jobs.store import JobStore


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


def status_report(session: Session, now: dt.datetime) -> StatusReport:
    store = JobStore(session)
    last = store.last_runs()
    upcoming = next_runs(now)
    jobs = [JobStatus(name, last.get(name), upcoming.get(name)) for name in STEPS]
    return StatusReport(jobs, store.backlogs(), store.database_bytes())
