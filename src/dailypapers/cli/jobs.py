"""`sync`, `worker` and `status`: the living instance from the command line."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from dailypapers.cli.common import (
    EXIT_ERROR,
    EXIT_NEW,
    EXIT_NOTHING_NEW,
    database,
    day_option,
    err,
    guard,
    load_settings,
    out,
)
from dailypapers.jobs.names import STEP_NAMES

if TYPE_CHECKING:
    from dailypapers.jobs.sync import StepReport

# The steps, the scheduler and the digest renderer are imported by the commands that use them:
# every other command starts faster.


def sync(
    since: Annotated[
        str | None, typer.Option(help="Follow from this day (YYYY-MM-DD) instead of the last one")
    ] = None,
    only: Annotated[
        str | None, typer.Option(help=f"Run one step: {' | '.join(STEP_NAMES)}")
    ] = None,
) -> None:
    """Bring the instance up to date: follow the curated list, fill in arXiv metadata, index,
    send due digests. Exit 0 when new papers arrived, 1 when nothing was new, 2 when a step
    failed (the others still ran)."""
    from dailypapers.jobs.runner import JobRunner
    from dailypapers.jobs.steps import Context
    from dailypapers.jobs.sync import sync as run_sync

    if only is not None and only not in STEP_NAMES:
        err.print(f"[red]error:[/red] --only is one of {', '.join(STEP_NAMES)}")
        raise typer.Exit(EXIT_ERROR)
    first = day_option(since, "--since")
    settings = load_settings()
    with database() as sessions:
        ctx = Context(settings, sessions, since=first)
        steps = [only] if only else list(STEP_NAMES)
        with err.status("sync") as status:

            def show(report: StepReport) -> None:
                status.update(f"sync: {report.name} done")
                _print_step(report)

            reports = guard(lambda: run_sync(ctx, JobRunner(sessions), steps, on_step=show))
    raise typer.Exit(_exit_code(reports))


def _print_step(report: StepReport) -> None:
    if report.outcome is None:
        err.print(f"{report.name}: [yellow]not run[/yellow], {report.busy}")
    elif report.outcome.error:
        out.print(f"{report.name}: {report.outcome.summary}".rstrip(": "))
        err.print(f"{report.name}: [red]failed[/red]: {report.outcome.error}")
    else:
        out.print(f"{report.name}: {report.outcome.summary}")


def _exit_code(reports: list[StepReport]) -> int:
    failed = [r.name for r in reports if r.failed]
    if failed:
        err.print(f"[red]failed:[/red] {', '.join(failed)}")
        return EXIT_ERROR
    if all(r.outcome is None for r in reports):
        err.print("another sync is running; nothing was done")
        return EXIT_NOTHING_NEW
    follow = next((r for r in reports if r.name == "follow" and r.outcome), None)
    return EXIT_NEW if follow and follow.outcome and follow.outcome.new else EXIT_NOTHING_NEW


def worker() -> None:
    """Run the scheduled jobs and the search indexer without a web server (for deployments whose
    web servers run with DAILYPAPERS_SCHEDULER=false). Stops on SIGTERM or Ctrl-C."""
    from dailypapers.jobs.schedule import start_scheduler
    from dailypapers.search.runtime import build_search

    settings = load_settings()
    with database() as sessions:
        search = build_search(settings, sessions)
        search.start_worker()
        scheduler = start_scheduler(settings, sessions)
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        out.print("worker: running the scheduled jobs; Ctrl-C to stop")
        stop.wait()
        scheduler.shutdown(wait=True)
        search.stop_worker()


def status() -> None:
    """Each job's last run and next run, the backlogs, and the database size."""
    from dailypapers.db.models import utcnow
    from dailypapers.jobs.services import status_report
    from dailypapers.search.runtime import lexical_position

    lexical = lexical_position(load_settings())
    with database() as sessions, sessions() as session:
        report = status_report(session, utcnow(), lexical)
    for job in report.jobs:
        when = f"next {job.next_run:%Y-%m-%d %H:%M}" if job.next_run else "continuous"
        run = job.last
        if run is None:
            out.print(f"{job.name:8} never run; {when}")
            continue
        ended = f"{run.finished_at:%H:%M:%S}" if run.finished_at else "still running"
        out.print(
            f"{job.name:8} {run.outcome:8} {run.started_at:%Y-%m-%d %H:%M:%S} - {ended}; {when}"
        )
        out.print(f"         {run.summary}")
        if run.error:
            out.print(f"         error: {run.error}")
    out.print(", ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in report.backlogs.items()))
    out.print(f"database: {report.database_bytes / 1e6:,.1f} MB")
