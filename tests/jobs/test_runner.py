"""Leases: one runner per job at a time, across threads and processes, on both databases; a dead
runner's lease is taken over; every run is recorded."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from dailypapers.db.models import JobRun
from dailypapers.jobs.runner import Busy, JobRunner, Outcome
from dailypapers.jobs.store import JobStore


def test_a_held_lease_makes_others_busy_and_every_run_is_recorded(sessions):
    first, second = JobRunner(sessions), JobRunner(sessions)
    seen = []

    def inside() -> Outcome:
        with pytest.raises(Busy, match="is running in"):
            second.run("follow", lambda: Outcome(1, "never"))
        seen.append("ran")
        return Outcome(3, "three new")

    assert first.run("follow", inside).new == 3 and seen == ["ran"]
    assert second.run("follow", lambda: Outcome(0, "quiet")).status == "nothing"  # free again
    with sessions() as session:
        runs = JobStore(session).runs("follow")
    assert [(r.outcome, r.new, r.owner) for r in reversed(runs)] == [
        ("ok", 3, first.owner), ("nothing", 0, second.owner),
    ]  # fmt: skip


def test_a_failure_is_recorded_and_the_lease_freed(sessions):
    runner = JobRunner(sessions)

    def broken() -> Outcome:
        raise RuntimeError("the archive is down")

    with pytest.raises(RuntimeError):
        runner.run("enrich", broken)
    with sessions() as session:
        [run] = JobStore(session).runs("enrich")
        assert run.outcome == "failed" and "the archive is down" in (run.error or "")
        assert JobStore(session).holder("enrich") == (None, None)


def test_an_expired_lease_or_a_dead_owner_on_this_host_is_taken_over(sessions):
    now = dt.datetime(2026, 6, 10, 12)
    with sessions() as session:
        dead = f"{socket.gethostname()}:999999999:gone"  # no such pid
        assert JobStore(session).acquire("index", dead, now, dt.timedelta(hours=2))
        assert JobStore(session).acquire("digests", "elsewhere:1:x", now, dt.timedelta(hours=2))
        session.commit()
    runner = JobRunner(sessions, clock=lambda: now + dt.timedelta(minutes=5))
    assert runner.run("index", lambda: Outcome(summary="took over")).summary == "took over"
    with pytest.raises(Busy):  # another host's live lease is respected ...
        runner.run("digests", lambda: Outcome())
    later = JobRunner(sessions, clock=lambda: now + dt.timedelta(hours=3))
    assert later.run("digests", lambda: Outcome()).status == "nothing"  # ... until it expires


PROCESS = textwrap.dedent(
    """
    import sys, time
    from dailypapers.config import Settings
    from dailypapers.db.engine import make_engine, make_sessionmaker
    from dailypapers.jobs.runner import Busy, JobRunner, Outcome

    sessions = make_sessionmaker(make_engine(Settings(database_url=sys.argv[1])))
    runner = JobRunner(sessions)
    for _ in range(12):
        try:
            runner.run("follow", lambda: (time.sleep(0.05), Outcome(1))[1])
        except Busy:
            pass
        time.sleep(0.01)
    """
)


@pytest.mark.slow
def test_three_processes_never_run_a_job_at_the_same_time(settings, sessions, tmp_path):
    """A web server, a worker and a second worker, as far as leases go: three processes trying
    the same job over and over; the recorded runs never overlap."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen([sys.executable, "-c", PROCESS, settings.database_url], env=env)
        for _ in range(3)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    with sessions() as session:
        runs = list(session.scalars(select(JobRun).order_by(JobRun.started_at)))
    assert len(runs) >= 3 and len({r.owner for r in runs}) >= 2
    for before, after in zip(runs, runs[1:], strict=False):
        assert before.finished_at is not None and before.finished_at <= after.started_at
