"""Run a job under its lease and record the run: however many web workers, workers and hosts
share the database, one process runs a given job at a time.

A lease lasts `ttl`; a runner that dies holds it until then, unless it died on this host: its
owner string names host and pid, and a dead pid's lease is taken over at once (so the next
`sync` after a kill -9 does not wait an hour).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.db.models import utcnow
from dailypapers.jobs.store import JobStore

log = logging.getLogger(__name__)
LEASE = dt.timedelta(hours=2)


@dataclass(frozen=True)
class Outcome:
    """What one job did: new papers (or mails), one summary line, and the error if it failed."""

    new: int = 0
    summary: str = ""
    error: str | None = None

    @property
    def status(self) -> str:
        return "failed" if self.error else ("ok" if self.new else "nothing")


class Busy(RuntimeError):
    """Another process holds the job's lease."""


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_here(owner: str | None) -> bool:
    """True when the lease's owner was a process on this host that no longer exists."""
    if not owner or owner.count(":") < 2:
        return False
    host, pid, _ = owner.rsplit(":", 2)
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class JobRunner:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        owner: str | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        lease: dt.timedelta = LEASE,
    ) -> None:
        self.sessions = sessions
        self.owner = owner or new_owner()
        self.clock = clock
        self.lease = lease

    def run(self, job: str, action: Callable[[], Outcome]) -> Outcome:
        """Run `action` if this process gets the lease; raise Busy if another one holds it."""
        run_id = self._begin(job)
        try:
            outcome = action()
        except Exception as exc:  # recorded, then raised for the caller to report
            self._end(job, run_id, Outcome(error=f"{type(exc).__name__}: {exc}"))
            raise
        self._end(job, run_id, outcome)
        return outcome

    def _begin(self, job: str) -> int:
        with self.sessions() as session:
            store = JobStore(session)
            self._take(store, job, self.clock())
            # the start is read once the lease is ours: the acquire may have waited for a lock
            run_id = store.start_run(job, self.owner, self.clock()).id
            session.commit()
        return run_id

    def _take(self, store: JobStore, job: str, now: dt.datetime) -> None:
        for _ in range(3):
            if store.acquire(job, self.owner, now, self.lease):
                return
            holder, until = store.holder(job)
            if _dead_here(holder):
                log.warning("%s: taking over the lease of %s, which is gone", job, holder)
                store.expire(job, holder or "")
            elif holder is not None and until is not None and until >= now:
                raise Busy(f"{job} is running in {holder} (lease until {until:%H:%M} UTC)")
            # else freed between the two statements: ask again
        raise Busy(f"{job} keeps being taken by other processes")

    def _end(self, job: str, run_id: int, outcome: Outcome) -> None:
        with self.sessions() as session:
            store = JobStore(session)
            store.finish_run(
                run_id, self.clock(), outcome.status, outcome.new, outcome.summary, outcome.error
            )
            store.release(job, self.owner)
            session.commit()
