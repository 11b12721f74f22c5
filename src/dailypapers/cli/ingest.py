"""`dailypapers ingest ...`: one command per source (exit 0 new, 1 nothing new, 2 error)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.cli.common import (
    EXIT_ERROR,
    EXIT_NEW,
    EXIT_NOTHING_NEW,
    T,
    database,
    day_option,
    err,
    file_progress_bar,
    guard,
    load_settings,
    out,
    print_report,
    progress_bar,
    sync_lexical,
)
from dailypapers.config import Settings
from dailypapers.ingest import hf_daily
from dailypapers.ingest.pipeline import IngestReport, ingest

if TYPE_CHECKING:
    from dailypapers.ingest.http import PoliteClient

ingest_app = typer.Typer(help="Import papers from a source (exit 0 new, 1 nothing new, 2 error).")


def _finish_ingest(report: IngestReport, sessions: sessionmaker[Session], dry_run: bool) -> None:
    """Report, make new papers searchable by words, and exit 0 (new) or 1 (nothing new)."""
    print_report(report, dry_run=dry_run)
    if not dry_run:
        sync_lexical(sessions)
    raise typer.Exit(EXIT_NEW if report.new else EXIT_NOTHING_NEW)


def _client(settings: Settings) -> PoliteClient:
    from dailypapers import __version__
    from dailypapers.ingest.http import PoliteClient

    return PoliteClient(
        min_interval=settings.arxiv_delay,
        user_agent=f"dailypapers/{__version__} (self-hosted paper feed)",
    )


@ingest_app.command("arxiv")
def ingest_arxiv(
    ids: Annotated[list[str] | None, typer.Option("--id", help="arXiv id; repeat for more")] = None,
    query: Annotated[
        str | None, typer.Option(help="API search_query, e.g. 'cat:cs.LG AND ti:diffusion'")
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="Newest papers of a category, e.g. cs.CL")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="With --category/--query: stop before this date")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many papers")] = None,
    dry_run: Annotated[bool, typer.Option(help="Fetch and compare, write nothing")] = False,
) -> None:
    """Fetch papers from the arXiv API (one request per DAILYPAPERS_ARXIV_DELAY seconds)."""

    from dailypapers.ingest.arxiv_api import ArxivApi

    chosen = [x for x in (ids, query, category) if x]
    if len(chosen) != 1:
        err.print("[red]error:[/red] give exactly one of --id, --query or --category")
        raise typer.Exit(EXIT_ERROR)
    since_day = day_option(since, "--since")
    settings = load_settings()
    with database() as sessions:
        with _client(settings) as client:
            api = ArxivApi(client, settings.arxiv_api_url)
            if ids:
                items = api.by_ids(ids)
            else:
                search_query = query or f"cat:{category}"
                items = api.search(search_query, since=since_day, limit=limit)
            report = _fetching(
                lambda: ingest(
                    sessions, items, batch_size=100, dry_run=dry_run, on_issue=_report_issue
                )
            )
        _finish_ingest(report, sessions, dry_run)


@ingest_app.command("oai")
def ingest_oai(
    from_date: Annotated[str, typer.Option("--from", help="First datestamp, YYYY-MM-DD")],
    until: Annotated[str | None, typer.Option(help="Last datestamp, YYYY-MM-DD")] = None,
    set_spec: Annotated[
        str | None, typer.Option("--set", help="OAI set, e.g. cs or physics:hep-th")
    ] = None,
    restart: Annotated[bool, typer.Option(help="Ignore a saved checkpoint and start over")] = False,
    dry_run: Annotated[bool, typer.Option(help="Fetch the first page, write nothing")] = False,
) -> None:
    """Bulk-harvest arXiv over OAI-PMH, resuming from the saved checkpoint after a crash."""

    from dailypapers.ingest.oai import OaiError, harvest

    start = day_option(from_date, "--from")
    end = day_option(until, "--until")
    assert start is not None  # --from is required
    settings = load_settings()
    with database() as sessions:
        with _client(settings) as client:
            try:
                report = _fetching(lambda: harvest(
                    sessions, client, settings.arxiv_oai_url, from_date=start, until=end,
                    set_spec=set_spec, dry_run=dry_run, restart=restart,
                    on_page=lambda r: err.print(f"page {r.pages}: {r.result.new} new so far"),
                ))  # fmt: skip
            except OaiError as exc:
                err.print(f"[red]error:[/red] {exc}")
                raise typer.Exit(EXIT_ERROR) from None
        if report.already_done:
            out.print("this window was harvested completely before; --restart to harvest it again")
            raise typer.Exit(EXIT_NOTHING_NEW)
        for issue in report.issues:
            err.print(f"skipped {issue}")
        if report.resumed:
            out.print("resumed from the saved checkpoint")
        r = report.result
        verb = "would add" if dry_run else "added"
        out.print(
            f"{report.pages} pages: {verb} {r.new} new papers, {r.updated} updated, "
            f"{r.unchanged} unchanged; {len(report.issues)} skipped, "
            f"{report.deleted} deleted upstream"
        )
        if not dry_run:
            sync_lexical(sessions)
        raise typer.Exit(EXIT_NEW if r.new else EXIT_NOTHING_NEW)


@ingest_app.command("arxiv-snapshot")
def ingest_snapshot(
    path: Annotated[Path, typer.Argument(help="arxiv-metadata-oai-snapshot.json[.gz]")],
    dry_run: Annotated[bool, typer.Option(help="Parse and compare, write nothing")] = False,
    batch: Annotated[int, typer.Option(min=100, max=50_000, help="Papers per transaction")] = 5000,
) -> None:
    """Stream the Kaggle/Cornell arXiv metadata snapshot into the store (constant memory)."""
    from dailypapers.db.engine import checkpoint
    from dailypapers.ingest.snapshot import read_snapshot
    from dailypapers.search.follow import lexical_follower

    if not path.exists():
        err.print(f"[red]error:[/red] no such file: {path}")
        raise typer.Exit(EXIT_ERROR)
    settings = load_settings()
    with database(bulk=True) as sessions:
        # Once a full batch is in (more will follow), a second process indexes the words of
        # what is committed meanwhile; an import of one batch never waits for it to start.
        with lexical_follower(settings) as follower, file_progress_bar() as progress:
            task = progress.add_task(path.name, total=path.stat().st_size)

            def read(lines: int, position: int) -> None:
                progress.update(
                    task, completed=position, description=f"{path.name}: {lines:,} lines"
                )

            def batch_done(size: int) -> None:
                if not dry_run and size >= batch:
                    follower.start()

            report = guard(
                lambda: ingest(
                    sessions, (item for _, item in read_snapshot(path, progress=read)),
                    batch_size=batch, dry_run=dry_run,
                    on_issue=_report_issue, on_batch=batch_done,
                )
            )  # fmt: skip
            if follower.started:
                # SQLite's log holds the whole import: copy it into the database while the
                # follower indexes the last batch, not after, when the command closes it
                checkpoint(sessions)
        _finish_ingest(report, sessions, dry_run)


def _report_issue(issue: hf_daily.Issue) -> None:
    err.print(f"skipped {issue}")


def _fetching(action: Callable[[], T]) -> T:
    from dailypapers.ingest.http import FetchError

    try:
        return guard(action)
    except FetchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_ERROR) from None


@ingest_app.command("hf-daily")
def ingest_hf_daily(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.json, .jsonl, .gz)")],
    dry_run: Annotated[bool, typer.Option(help="Parse and compare, write nothing")] = False,
) -> None:
    """Import Hugging Face /api/daily_papers responses or the papers.jsonl archive. Exit 0 when
    new papers came, 1 when nothing was new, 2 when a file had no readable record."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/red] no such file or folder: {', '.join(missing)}")
        raise typer.Exit(EXIT_ERROR)
    files = list(hf_daily.iter_files(paths))
    unreadable: list[str] = []  # files with problems and no record at all
    with database() as sessions:
        with progress_bar() as progress:
            task = progress.add_task("files", total=len(files))

            def records() -> Iterator[hf_daily.Parsed]:
                for path in files:
                    progress.update(task, description=path.name)
                    read = issues = 0
                    for item in hf_daily.read_path(path):
                        issues += isinstance(item, hf_daily.Issue)
                        read += not isinstance(item, hf_daily.Issue)
                        yield item
                    if issues and not read:  # an empty day ([]) is no error
                        unreadable.append(str(path))
                    progress.advance(task)

            report = guard(
                lambda: ingest(
                    sessions,
                    records(),
                    dry_run=dry_run,
                    on_issue=lambda i: err.print(f"skipped {i}"),
                )
            )
        if unreadable:  # broken input is not a quiet day: cron must see the difference
            print_report(report, dry_run=dry_run)
            err.print(f"[red]error:[/red] no readable record in {', '.join(unreadable[:5])}")
            raise typer.Exit(EXIT_ERROR)
        _finish_ingest(report, sessions, dry_run)
