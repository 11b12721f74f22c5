"""`sync`: every enabled step in order, each under its own lease; a step that fails or is running
elsewhere does not stop the others, and the result says which did what."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dailypapers.jobs.runner import Busy, JobRunner, Outcome
from dailypapers.jobs.steps import STEPS, Context

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepReport:
    name: str
    outcome: Outcome | None  # None: another process was running this step
    busy: str | None = None

    @property
    def failed(self) -> bool:
        return self.outcome is not None and self.outcome.error is not None


def run_step(runner: JobRunner, ctx: Context, name: str) -> StepReport:
    """One step under its lease; errors are recorded in the run and returned, not raised."""
    try:
        return StepReport(name, runner.run(name, lambda: STEPS[name](ctx)))
    except Busy as exc:
        return StepReport(name, None, str(exc))
    except Exception as exc:  # the run is recorded as failed; the next step still runs
        log.exception("%s failed", name)
        return StepReport(name, Outcome(error=f"{type(exc).__name__}: {exc}"))


def sync(
    ctx: Context,
    runner: JobRunner,
    steps: Sequence[str] = tuple(STEPS),
    on_step: Callable[[StepReport], None] | None = None,
) -> list[StepReport]:
    reports = []
    for name in steps:
        report = run_step(runner, ctx, name)
        reports.append(report)
        if on_step:
            on_step(report)
    return reports
