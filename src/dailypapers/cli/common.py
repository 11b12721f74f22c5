"""Shared pieces of the command line: consoles, exit codes, database access, progress."""

from __future__ import annotations

import datetime as dt
import errno
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.db.errors import DISK_FULL, storage_problem
from dailypapers.ingest.pipeline import IngestReport
from dailypapers.papers.periods import PeriodError, parse_day

T = TypeVar("T")
EXIT_NEW, EXIT_NOTHING_NEW, EXIT_ERROR = 0, 1, 2
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def day_option(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option as a date (None when not given); a bad one exits 2 saying what is
    wrong: its shape ("--date must look like YYYY-MM-DD") or its day ("no such date: ...")."""
    if not value:
        return None
    try:
        return parse_day(value, option)
    except PeriodError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_ERROR) from None


def load_settings() -> Settings:
    """Settings from the environment; a bad or unsafe value is one clear line and exit 2."""
    try:
        return Settings()
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(p) for p in problem["loc"])
            name = f"DAILYPAPERS_{where.upper()}" if where else "settings"
            err.print(f"[red]configuration error:[/red] {name}: {problem['msg']}")
        raise typer.Exit(EXIT_ERROR) from None


def open_engine(bulk: bool = False) -> Engine:
    settings = load_settings()
    if settings.is_sqlite:
        guard(settings.ensure_dirs)
    return guard(lambda: make_engine(settings, bulk=bulk))


@contextmanager
def engine_for_command(bulk: bool = False) -> Iterator[Engine]:
    """The configured database for one command, disposed of when it ends; `bulk` for a
    command that writes many rows (db/engine.BULK_PRAGMAS)."""
    engine = open_engine(bulk)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def database(bulk: bool = False) -> Iterator[sessionmaker[Session]]:
    """The configured database, migrated, for one command; disposed of when the command ends."""
    with engine_for_command(bulk) as engine:
        guard(lambda: migrate.upgrade(engine))
        yield make_sessionmaker(engine)


def sync_lexical(sessions: sessionmaker[Session]) -> None:
    """Make what was just ingested searchable by words at once (embeddings come from `index`)."""
    from dailypapers.search.lexical import IndexBusy
    from dailypapers.search.runtime import build_search

    try:
        build_search(load_settings(), sessions, with_embedder=False).indexer.sync_lexical()
    except IndexBusy:
        err.print("search index busy: the running server will index the new papers")


def progress_bar(measure: ProgressColumn | None = None) -> Progress:
    """A progress bar on stderr that disappears when done: what, a bar, how much (by default:
    how many of how many), time elapsed, and time left once there is a pace to tell it by
    (`dailypapers index` on all of arXiv runs for hours)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        measure or MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeLeft(),
        console=err,
        transient=True,
    )


def file_progress_bar() -> Progress:
    """For a task counted in bytes of a file: the share done, not the bytes."""
    return progress_bar(TaskProgressColumn())


class TimeLeft(ProgressColumn):
    """Time left ("1:23:45 left") once the task has a total and a pace; else nothing."""

    def render(self, task: Task) -> Text:
        left = task.time_remaining
        if task.total is None or left is None or task.finished:
            return Text("")
        return Text(f"{dt.timedelta(seconds=int(left))} left", style="progress.remaining")


def print_report(report: IngestReport, dry_run: bool = False) -> None:
    r = report.result
    verb = "would add" if dry_run else "added"
    out.print(
        f"{report.records} records: {verb} {r.new} new papers, {r.updated} updated, "
        f"{r.unchanged} unchanged, {r.new_feed_entries} new feed entries; "
        f"{len(report.issues)} skipped"
    )


def guard(action: Callable[[], T]) -> T:
    """Turn database and disk failures into one clear line and exit code 2, not a traceback."""
    try:
        return action()
    except DBAPIError as exc:
        err.print(f"[red]database error:[/red] {storage_problem(exc)}")
    except SQLAlchemyError as exc:
        err.print(f"[red]database error:[/red] {exc}")
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            err.print(f"[red]error:[/red] {DISK_FULL} ({exc.filename or 'writing'})")
        else:
            err.print(f"[red]error:[/red] {exc.strerror or exc}: {exc.filename or ''}")
    raise typer.Exit(EXIT_ERROR)


def one_line_summaries(app: typer.Typer) -> None:
    """Give every command of `app` and of its groups the first paragraph of its docstring, on one
    line, as the summary the command list shows: Typer's list keeps the docstring's line breaks,
    which cut a summary mid-sentence. A summary set by hand is kept."""
    for info in app.registered_commands:
        if info.short_help is None and info.callback is not None and info.callback.__doc__:
            first = inspect.cleandoc(info.callback.__doc__).split("\n\n")[0]
            info.short_help = " ".join(first.split())
    for group in app.registered_groups:
        if group.typer_instance is not None:
            one_line_summaries(group.typer_instance)
