"""The `dailypapers` command: a thin shell over the library.

Ingest commands exit 0 when new papers arrived, 1 when nothing was new, 2 on error, so cron can
chain follow-up work only when needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.ingest import hf_daily
from dailypapers.ingest.pipeline import IngestReport, ingest

T = TypeVar("T")
EXIT_NEW, EXIT_NOTHING_NEW, EXIT_ERROR = 0, 1, 2

app = typer.Typer(help="Daily Papers: a self-hostable daily feed of research papers.")
db_app = typer.Typer(help="Database schema commands.")
ingest_app = typer.Typer(help="Import papers from a source (exit 0 new, 1 nothing new, 2 error).")
app.add_typer(db_app, name="db")
app.add_typer(ingest_app, name="ingest")
out = Console()
err = Console(stderr=True)


def _engine() -> Engine:
    settings = Settings()
    if settings.is_sqlite:
        _guard(settings.ensure_dirs)
    return _guard(lambda: make_engine(settings))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Create or migrate the database schema (safe to run again)."""
    engine = _engine()
    _guard(lambda: migrate.upgrade(engine, revision))
    out.print(f"database at {revision}: {engine.url.render_as_string(hide_password=True)}")


@app.command()
def demo(
    force: Annotated[bool, typer.Option(help="Reload even if this demo set is loaded")] = False,
) -> None:
    """Load the bundled demo set of real papers (idempotent; seconds when already loaded)."""
    from dailypapers.demo import load_demo

    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    report = _guard(lambda: load_demo(make_sessionmaker(engine), force=force))
    if report is None:
        out.print("demo set already loaded")
    else:
        _print_report(report)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [default: settings]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: settings]")] = None,
    workers: Annotated[int, typer.Option(help="Number of worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development)")] = False,
) -> None:
    """Serve the web site, JSON API and feeds (migrates the database first)."""
    import uvicorn

    settings = Settings()
    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    engine.dispose()
    uvicorn.run(
        "dailypapers.web.app:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_level="info",
    )


@ingest_app.command("hf-daily")
def ingest_hf_daily(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.json, .jsonl, .gz)")],
    dry_run: Annotated[bool, typer.Option(help="Parse and compare, write nothing")] = False,
) -> None:
    """Import Hugging Face /api/daily_papers responses or the papers.jsonl archive."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/red] no such file or folder: {', '.join(missing)}")
        raise typer.Exit(EXIT_ERROR)
    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    files = list(hf_daily.iter_files(paths))
    sessions = make_sessionmaker(engine)
    with _progress() as progress:
        task = progress.add_task("files", total=len(files))

        def records() -> Iterator[hf_daily.Parsed]:
            for path in files:
                progress.update(task, description=path.name)
                yield from hf_daily.read_path(path)
                progress.advance(task)

        report = _guard(
            lambda: ingest(
                sessions, records(), dry_run=dry_run, on_issue=lambda i: err.print(f"skipped {i}")
            )
        )
    _print_report(report, dry_run=dry_run)
    raise typer.Exit(EXIT_NEW if report.new else EXIT_NOTHING_NEW)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _print_report(report: IngestReport, dry_run: bool = False) -> None:
    r = report.result
    verb = "would add" if dry_run else "added"
    out.print(
        f"{report.records} records: {verb} {r.new} new papers, {r.updated} updated, "
        f"{r.unchanged} unchanged, {r.new_feed_entries} new feed entries; "
        f"{len(report.issues)} skipped"
    )


def _guard(action: Callable[[], T]) -> T:
    """Turn database failures into one clear line and exit code 2 instead of a traceback."""
    try:
        return action()
    except OperationalError as exc:
        err.print(f"[red]database error:[/red] {exc.orig}")
    except SQLAlchemyError as exc:
        err.print(f"[red]database error:[/red] {exc}")
    except OSError as exc:
        err.print(f"[red]error:[/red] {exc.strerror or exc}: {exc.filename or ''}")
    raise typer.Exit(EXIT_ERROR)


def main() -> None:
    app()
