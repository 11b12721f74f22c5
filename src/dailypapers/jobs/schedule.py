"""When jobs run inside `serve` and `worker`: APScheduler cron triggers (UTC). Every process may
run the schedule; the leases (jobs/runner.py) let one of them do each run.

follow   hourly at :07, and once a minute after start (a fresh instance catches up at once)
arxiv    weekdays at 01:30 and 04:30, after arXiv's announcement (DAILYPAPERS_ARXIV_CATEGORIES)
enrich   hourly at :37 (arXiv metadata for new curated papers)
digests  hourly at :15; they go out from DAILYPAPERS_DIGEST_HOUR (jobs/steps.due_digests)
index    continuous, by the search worker (every 2 s in `serve` and `worker`)
vectors  daily at 03:50 (folds new vectors into the memory-mapped graph when they are 5% of it)
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.jobs.runner import JobRunner
from dailypapers.jobs.steps import Context
from dailypapers.jobs.sync import StepReport, run_step

log = logging.getLogger(__name__)
SCHEDULE = {
    "follow": CronTrigger(minute=7, timezone=dt.UTC),
    # arXiv announces at 20:00 US Eastern, Sunday to Thursday: read it in the small hours (UTC)
    "arxiv": CronTrigger(day_of_week="mon-fri", hour="1,4", minute=30, timezone=dt.UTC),
    "enrich": CronTrigger(minute=37, timezone=dt.UTC),
    "digests": CronTrigger(minute=15, timezone=dt.UTC),
    "vectors": CronTrigger(hour=3, minute=50, timezone=dt.UTC),
}
FIRST_FOLLOW = dt.timedelta(minutes=1)


def log_report(report: StepReport) -> None:
    """One line per run: what it did, why it failed, or who else was running it."""
    if report.outcome is None:
        log.info("%s: skipped, %s", report.name, report.busy)
    elif report.outcome.error:
        log.warning("%s failed: %s", report.name, report.outcome.error)
    else:
        log.info("%s: %s", report.name, report.outcome.summary)


def start_scheduler(settings: Settings, sessions: sessionmaker[Session]) -> BackgroundScheduler:
    runner = JobRunner(sessions)
    scheduler = BackgroundScheduler(timezone=dt.UTC)

    def job(name: str) -> None:
        log_report(run_step(runner, Context(settings, sessions), name))

    for name, trigger in SCHEDULE.items():
        scheduler.add_job(job, trigger, args=[name], id=name, coalesce=True, max_instances=1)
    soon = dt.datetime.now(dt.UTC) + FIRST_FOLLOW
    scheduler.add_job(job, "date", run_date=soon, args=["follow"], id="follow-at-start")
    scheduler.start()
    return scheduler


def next_runs(now: dt.datetime) -> dict[str, dt.datetime]:
    """When each scheduled job fires next after `now` (for `status` and /admin)."""
    found = {}
    for name, trigger in SCHEDULE.items():
        fire = trigger.get_next_fire_time(None, now.replace(tzinfo=dt.UTC))
        if fire is not None:
            found[name] = fire.astimezone(dt.UTC).replace(tzinfo=None)
    return found
