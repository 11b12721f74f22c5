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
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.ingest import hf_daily
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.pipeline import IngestReport, ingest

T = TypeVar("T")
EXIT_NEW, EXIT_NOTHING_NEW, EXIT_ERROR = 0, 1, 2

app = typer.Typer(help="Daily Papers: a self-hostable daily feed of research papers.")
db_app = typer.Typer(help="Database schema commands.")
ingest_app = typer.Typer(help="Import papers from a source (exit 0 new, 1 nothing new, 2 error).")
eval_app = typer.Typer(help="Measure search quality.")
app.add_typer(db_app, name="db")
app.add_typer(ingest_app, name="ingest")
app.add_typer(eval_app, name="eval")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


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


def _finish_ingest(report: IngestReport, sessions: sessionmaker[Session], dry_run: bool) -> None:
    _print_report(report, dry_run=dry_run)
    if not dry_run:
        _sync_lexical(sessions)
    raise typer.Exit(EXIT_NEW if report.new else EXIT_NOTHING_NEW)


def _client(settings: Settings) -> PoliteClient:
    from dailypapers import __version__

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
    import datetime as dt

    from dailypapers.ingest.arxiv_api import ArxivApi

    chosen = [x for x in (ids, query, category) if x]
    if len(chosen) != 1:
        err.print("[red]error:[/red] give exactly one of --id, --query or --category")
        raise typer.Exit(EXIT_ERROR)
    try:
        since_day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        err.print(f"[red]error:[/red] --since must be YYYY-MM-DD, got {since!r}")
        raise typer.Exit(EXIT_ERROR) from None
    settings = Settings()
    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    sessions = make_sessionmaker(engine)
    with _client(settings) as client:
        api = ArxivApi(client, settings.arxiv_api_url)
        if ids:
            items = api.by_ids(ids)
        else:
            search_query = query or f"cat:{category}"
            items = api.search(search_query, since=since_day, limit=limit)
        report = _fetching(
            lambda: ingest(sessions, items, batch_size=100, dry_run=dry_run, on_issue=_report_issue)
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
    import datetime as dt

    from dailypapers.ingest.oai import OaiError, harvest

    try:
        start = dt.date.fromisoformat(from_date)
        end = dt.date.fromisoformat(until) if until else None
    except ValueError:
        err.print("[red]error:[/red] --from/--until must be YYYY-MM-DD")
        raise typer.Exit(EXIT_ERROR) from None
    settings = Settings()
    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    sessions = make_sessionmaker(engine)
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
        _sync_lexical(sessions)
    raise typer.Exit(EXIT_NEW if r.new else EXIT_NOTHING_NEW)


@ingest_app.command("arxiv-snapshot")
def ingest_snapshot(
    path: Annotated[Path, typer.Argument(help="arxiv-metadata-oai-snapshot.json[.gz]")],
    dry_run: Annotated[bool, typer.Option(help="Parse and compare, write nothing")] = False,
    batch: Annotated[int, typer.Option(min=100, max=50_000, help="Papers per transaction")] = 5000,
) -> None:
    """Stream the Kaggle/Cornell arXiv metadata snapshot into the store (constant memory)."""
    from dailypapers.ingest.snapshot import read_snapshot

    if not path.exists():
        err.print(f"[red]error:[/red] no such file: {path}")
        raise typer.Exit(EXIT_ERROR)
    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    sessions = make_sessionmaker(engine)
    with _progress() as progress:
        task = progress.add_task(f"{path.name}: lines", total=None)

        def items() -> Iterator[hf_daily.Parsed]:
            for number, item in read_snapshot(path):
                if number % 1000 == 0:
                    progress.update(task, completed=number)
                yield item

        report = _guard(lambda: ingest(sessions, items(), batch_size=batch, dry_run=dry_run,
                                       on_issue=lambda i: err.print(f"skipped {i}")))  # fmt: skip
    _finish_ingest(report, sessions, dry_run)


def _report_issue(issue: hf_daily.Issue) -> None:
    err.print(f"skipped {issue}")


def _fetching(action: Callable[[], T]) -> T:
    from dailypapers.ingest.http import FetchError

    try:
        return _guard(action)
    except FetchError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_ERROR) from None


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
    if not dry_run:
        _sync_lexical(sessions)
    raise typer.Exit(EXIT_NEW if report.new else EXIT_NOTHING_NEW)


def _sync_lexical(sessions: sessionmaker[Session]) -> None:
    """Make what was just ingested searchable by words at once (embeddings come from `index`)."""
    from dailypapers.search.lexical import IndexBusy
    from dailypapers.search.runtime import build_search

    try:
        build_search(Settings(), sessions, with_embedder=False).indexer.sync_lexical()
    except IndexBusy:
        err.print("search index busy: the running server will index the new papers")


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option(help="Rebuild the lexical index from scratch")] = False,
    batch: Annotated[int, typer.Option(min=1, max=1024, help="Papers per embedding batch")] = 32,
    limit: Annotated[int | None, typer.Option(help="Embed at most this many papers")] = None,
) -> None:
    """Bring the search indexes up to date: lexical queue, then embeddings (resumable)."""
    from dailypapers.search.runtime import build_search, load_embedder

    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    sessions = make_sessionmaker(engine)
    runtime = build_search(Settings(), sessions, load_embedder(threads=None), with_embedder=True)
    indexer = runtime.indexer
    with _progress() as progress:
        if rebuild:
            task = progress.add_task("lexical rebuild", total=None)
            total = indexer.rebuild_lexical(lambda n: progress.advance(task, n))
            out.print(f"lexical index rebuilt: {total} papers")
        out.print(f"lexical index: {indexer.sync_lexical()} queued papers indexed")
        if indexer.embedder is None:
            err.print("[yellow]embedding model not installed: semantic search stays off[/yellow]")
            raise typer.Exit(EXIT_ERROR)
        pending = indexer.pending_embeddings()
        total = pending if limit is None else min(pending, limit)
        task = progress.add_task("embedding", total=total)
        done = indexer.embed_pending(
            batch=batch, limit=limit, progress=lambda n: progress.advance(task, n)
        )
    out.print(f"embedded {done} papers; {max(pending - done, 0)} still waiting")
    raise typer.Exit(EXIT_NEW if done else EXIT_NOTHING_NEW)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help='Words and "quoted phrases"')],
    mode: Annotated[str, typer.Option(help="hybrid, lexical or semantic")] = "hybrid",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Search the papers of this instance."""
    import json

    from dailypapers.search.runtime import build_search
    from dailypapers.search.service import MODES

    if mode not in MODES:
        err.print(f"[red]error:[/red] --mode must be one of {', '.join(MODES)}")
        raise typer.Exit(EXIT_ERROR)
    engine = _engine()
    _guard(lambda: migrate.upgrade(engine))
    runtime = build_search(Settings(), make_sessionmaker(engine))
    runtime.catch_up(embed_limit=0)
    result = runtime.service.search(query, mode=mode, limit=limit)  # type: ignore[arg-type]
    if as_json:
        hits = [
            {"id": h.paper.arxiv_id, "title": h.paper.title, "score": round(h.score, 6),
             "upvotes": h.paper.upvotes}
            for h in result.hits
        ]  # fmt: skip
        out.print_json(json.dumps({"mode": result.used, "notes": result.notes, "hits": hits}))
        return
    for note in result.notes:
        err.print(f"[yellow]{note}[/yellow]")
    for rank, hit in enumerate(result.hits, start=1):
        out.print(
            f"{rank:>3}. [bold]{hit.paper.title}[/bold]  "
            f"[dim]{hit.paper.arxiv_id} ▲{hit.paper.upvotes}[/dim]",
            highlight=False,
        )
    if not result.hits:
        out.print("no matches")


@eval_app.command("beir")
def eval_beir(
    folder: Annotated[
        Path, typer.Argument(help="A BEIR folder: corpus.jsonl[.gz], queries.jsonl, qrels/")
    ],
    split: Annotated[str, typer.Option(help="Which qrels/SPLIT.tsv to use")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """nDCG@10, Recall@100 and MRR@10 of lexical, semantic and hybrid search on a BEIR folder."""
    import json

    from dailypapers.search.evaluation import BeirError, evaluate
    from dailypapers.search.runtime import load_embedder

    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done)

        try:
            result = evaluate(folder, split, load_embedder(threads=None), report)
        except (BeirError, OSError, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(EXIT_ERROR) from None
    if as_json:
        print(json.dumps(result))
        return
    table = Table(
        title=f"{folder.name} ({split}): {result['docs']} docs, {result['queries']} queries"
    )
    for column in ("mode", "nDCG@10", "Recall@100", "MRR@10"):
        table.add_column(column, justify="right" if column != "mode" else "left")
    for mode in ("lexical", "semantic", "hybrid"):
        m = result[mode]
        table.add_row(mode, f"{m['ndcg@10']:.4f}", f"{m['recall@100']:.4f}", f"{m['mrr@10']:.4f}")
    out.print(table)
    out.print(f"index {result['index_s']} s · hybrid query p50 {result['query_ms_p50']} ms")


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


if __name__ == "__main__":
    main()
