"""The `dailypapers` command: a thin shell over the library.

Ingest commands exit 0 when new papers arrived, 1 when nothing was new, 2 on error, so cron can
chain follow-up work only when needed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dailypapers.cli.common import (
    database,
    engine_for_command,
    err,
    guard,
    load_settings,
    one_line_summaries,
    out,
    print_report,
    sync_lexical,
)
from dailypapers.cli.digest import digest_app
from dailypapers.cli.ingest import ingest_app
from dailypapers.cli.jobs import status, sync, worker
from dailypapers.cli.search import eval_app, index, search
from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.models import User

app = typer.Typer(help="Daily Papers: a self-hostable daily feed of research papers.")
db_app = typer.Typer(help="Database schema commands.")
app.add_typer(db_app, name="db")
app.add_typer(ingest_app, name="ingest")
app.add_typer(eval_app, name="eval")
app.add_typer(digest_app, name="digest")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Create or migrate the database schema (safe to run again)."""
    with engine_for_command() as engine:
        guard(lambda: migrate.upgrade(engine, revision))
        out.print(f"database at {revision}: {engine.url.render_as_string(hide_password=True)}")


@db_app.command("copy")
def db_copy(
    source: Annotated[str, typer.Option("--from", help="SQLAlchemy URL to copy from")],
    target: Annotated[str, typer.Option("--to", help="SQLAlchemy URL of an empty database")],
) -> None:
    """Move a whole instance to another database (e.g. SQLite to PostgreSQL), losing nothing."""
    from dailypapers.db.copy import CopyError, copy_database

    src = _copy_end(source, "--from")
    dst = _copy_end(target, "--to")
    try:
        counts = guard(lambda: copy_database(src, dst))
    except CopyError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    finally:
        src.dispose()
        dst.dispose()
    for table, rows in counts.items():
        out.print(f"{table}: {rows} rows")
    out.print("copied and verified; run `dailypapers index --rebuild` against the new database")


def _copy_end(url: str, option: str) -> Engine:
    """An engine for one end of `db copy`, or exit 2 with one line: not a URL, an unknown kind
    of database, or (for --from) a SQLite file that is not there (it would be made empty)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from dailypapers.db.engine import make_engine

    def fail(message: str) -> NoReturn:
        err.print(f"[red]error:[/red] {option} {url!r}: {message}")
        raise typer.Exit(2)

    try:
        parsed = make_url(url)
    except ArgumentError:
        fail("not a database URL (e.g. sqlite:////srv/data/dailypapers.db, postgresql://...)")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        fail("Daily Papers runs on sqlite:// or postgresql:// only")
    sqlite = parsed.get_backend_name() == "sqlite"
    if option == "--from" and sqlite and not Path(parsed.database or "").is_file():
        fail("no such SQLite file")
    try:
        return make_engine(Settings(database_url=url))
    except (NoSuchModuleError, ImportError) as exc:
        fail(f"cannot open it here ({exc}); for PostgreSQL: pip install 'dailypapers[postgres]'")


@app.command()
def demo(
    force: Annotated[bool, typer.Option(help="Reload even if this demo set is loaded")] = False,
) -> None:
    """Load the bundled demo set of real papers (idempotent; seconds when already loaded)."""
    from dailypapers.demo import load_demo

    with database() as sessions:
        report = guard(lambda: load_demo(sessions, force=force))
        if report is None:
            out.print("demo set already loaded")
        else:
            print_report(report)
            sync_lexical(sessions)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [default: settings]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: settings]")] = None,
    workers: Annotated[int, typer.Option(help="Number of worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development)")] = False,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request [default: on, off in production, where the proxy logs]",
        ),
    ] = None,
) -> None:
    """Serve the web site, JSON API and feeds (migrates the database first)."""
    import uvicorn

    settings = load_settings()
    with database():
        pass  # migrated before the workers start
    if port and not os.environ.get("DAILYPAPERS_BASE_URL"):
        os.environ["DAILYPAPERS_PORT"] = str(port)  # links follow the port actually served
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # every worker writes its request counts here; /metrics adds them up
        shared = settings.data_dir / "metrics"
        shutil.rmtree(shared, ignore_errors=True)
        shared.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
    uvicorn.run(
        "dailypapers.web.app:app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_level="info",
        access_log=settings.env != "production" if access_log is None else access_log,
    )


@contextmanager
def user_session(username: str) -> Iterator[tuple[Session, User]]:
    """A session on the migrated database and the named user; exit 2 when there is none."""
    from dailypapers.community.store import CommunityStore

    with database() as sessions, sessions() as session:
        user = CommunityStore(session).user_by_name(username)
        if user is None:
            err.print(f"[red]error:[/red] no user {username!r}")
            raise typer.Exit(2)
        yield session, user


@app.command("export-user")
def export_user(username: str = typer.Argument(help="Whose data to print as JSON")) -> None:
    """Print everything stored about a user as JSON (what their "download my data" link gives)."""
    import json

    from dailypapers.privacy.export import export_user as export

    with user_session(username) as (session, user):
        print(json.dumps(export(session, user), indent=2))


@app.command("export")
def export(
    dump: Annotated[Path, typer.Argument(help="File to write (.jsonl, or .jsonl.gz to compress)")],
) -> None:
    """Write the whole instance (papers, users, votes, comments, subscriptions...) to one file."""
    from dailypapers.db.dump import export_dump

    with engine_for_command() as engine:
        counts = guard(lambda: export_dump(engine, dump))
    out.print(f"{sum(counts.values()):,} rows from {len(counts)} tables written to {dump}")


@app.command("import")
def import_(
    dump: Annotated[Path, typer.Argument(help="A file written by `dailypapers export`")],
) -> None:
    """Load a dump into this instance's database. Rows that exist are kept, so an interrupted
    import can be run again; unreadable lines are reported and skipped (exit 1 if any were); a
    file cut off or damaged mid-way keeps what was read before it and exits 2."""
    from dailypapers.db.dump import DumpError, import_dump

    if not dump.is_file():
        err.print(f"[red]error:[/red] no such file: {dump}")
        raise typer.Exit(2)
    with engine_for_command() as engine:
        try:
            report = guard(lambda: import_dump(engine, dump))
        except DumpError as exc:
            err.print(f"[red]error:[/red] {dump}: {exc}")
            raise typer.Exit(2) from None
    for problem in report.problems:
        err.print(f"{dump}:{problem} (skipped)")
    out.print(
        f"{sum(report.rows.values()):,} rows read into {len(report.rows)} tables; "
        f"{len(report.problems)} lines skipped; now run `dailypapers index --rebuild`"
    )
    if report.broken:
        err.print(
            f"[red]error:[/red] {dump}: unreadable {report.broken}; the rows before it are "
            "imported, the rest of the file is lost (a new export, or the original, has them)"
        )
        raise typer.Exit(2)
    raise typer.Exit(1 if report.problems else 0)


@app.command("add-user")
def add_user(
    username: str = typer.Argument(help="Name of the new account"),
    email: str = typer.Argument(help="Its address (counted as verified: you vouch for it)"),
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="DAILYPAPERS_PASSWORD",
            help="Asked for when not given (or set DAILYPAPERS_PASSWORD)",
        ),
    ] = "",
) -> None:
    """Make an account at once, without the mailed link: for an instance without mail, or to
    set up the first moderator."""
    from dailypapers.community.services import SignupError, sign_up

    with database() as sessions, sessions() as session:
        try:
            sign_up(session, username, email, password)
        except SignupError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from exc
        session.commit()
    out.print(f"{username} can sign in now")


@app.command("moderator")
def moderator(
    username: str = typer.Argument(help="User to change"),
    revoke: Annotated[bool, typer.Option(help="Take the moderator role away")] = False,
) -> None:
    """Make a user a moderator (they can hide papers and comments and ban users)."""
    with user_session(username) as (session, user):
        user.is_moderator = not revoke
        session.commit()
    out.print(f"{username} is {'no longer ' if revoke else ''}a moderator")


app.command()(index)
app.command()(search)
app.command()(sync)
app.command()(worker)
app.command()(status)
one_line_summaries(app)


def main() -> NoReturn:
    """The `dailypapers` command. It leaves by `os._exit` once its output is flushed: Python's
    own teardown of the libraries a command loads (SQLAlchemy, numpy, tantivy, ...) took
    0.25-0.3 s of CPU after every command, with nothing left for it to do (each command
    closes its database). When a thread or child process is still running, the exit is
    Python's, which waits for them."""
    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # what sys.exit("message") prints
        code = 1
    if _still_running():
        sys.exit(code)  # Python's own exit waits for them
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code or 0)


def _still_running() -> bool:
    """A thread or child process the command left running, which a normal exit would wait
    for (os._exit would cut it off)."""
    import multiprocessing
    import threading

    main_thread = threading.main_thread()
    threads = [t for t in threading.enumerate() if t is not main_thread and not t.daemon]
    return bool(threads or multiprocessing.active_children())
