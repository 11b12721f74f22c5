"""All SQL of jobs: leases (who may run a job now), the history of runs, the database size."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from dailypapers.db.inserts import insert_ignoring
from dailypapers.db.models import Job, JobRun


class JobStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- leases -------------------------------------------------------------------------------

    def acquire(self, job: str, owner: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Take the job's lease if it is free or expired; one statement decides (both engines),
        so two processes asking at once cannot both get it. Caller commits."""
        connection = self.session.connection()
        table = Job.__table__
        connection.execute(insert_ignoring(connection, table, ["name"]), {"name": job})  # type: ignore[arg-type]
        taken = connection.execute(
            update(Job)
            .where(Job.name == job, or_(Job.lease_until.is_(None), Job.lease_until < now))
            .values(lease_owner=owner, lease_until=now + ttl)
            .returning(Job.name)
        ).first()
        return taken is not None

    def holder(self, job: str) -> tuple[str | None, dt.datetime | None]:
        row = self.session.get(Job, job)
        return (row.lease_owner, row.lease_until) if row else (None, None)

    def expire(self, job: str, owner: str) -> None:
        """End a lease now (its owner died): the next `acquire` takes it."""
        self.session.execute(
            update(Job).where(Job.name == job, Job.lease_owner == owner).values(lease_until=None)
        )

    def release(self, job: str, owner: str) -> None:
        self.session.execute(
            update(Job)
            .where(Job.name == job, Job.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )

    # --- runs ---------------------------------------------------------------------------------

    def start_run(self, job: str, owner: str, now: dt.datetime) -> JobRun:
        run = JobRun(job=job, owner=owner, started_at=now, outcome="running", new=0, summary="")
        self.session.add(run)
        self.session.flush()
        return run

    def finish_run(
        self, run_id: int, now: dt.datetime, outcome: str, new: int, summary: str, error: str | None
    ) -> None:
        self.session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(finished_at=now, outcome=outcome, new=new, summary=summary, error=error)
        )

    def last_runs(self) -> dict[str, JobRun]:
        latest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
        rows = self.session.scalars(select(JobRun).join(latest, JobRun.id == latest.c.id))
        return {run.job: run for run in rows}

    def runs(self, job: str | None = None, limit: int = 50) -> list[JobRun]:
        query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
        if job:
            query = query.where(JobRun.job == job)
        return list(self.session.scalars(query))

    def run_counts(self) -> list[tuple[str, str, int]]:
        """(job, outcome, runs) over the whole history, for /metrics."""
        rows = self.session.execute(
            select(JobRun.job, JobRun.outcome, func.count()).group_by(JobRun.job, JobRun.outcome)
        )
        return [(job, outcome, n) for job, outcome, n in rows]

    def database_bytes(self) -> int:
        if self.session.get_bind().dialect.name == "postgresql":
            return int(self.session.scalar(text("SELECT pg_database_size(current_database())")))
        pages = self.session.scalar(text("PRAGMA page_count")) or 0
        return int(pages * (self.session.scalar(text("PRAGMA page_size")) or 0))
