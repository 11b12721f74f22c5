"""Engine and session factory, built from Settings (never at import time)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings


def pool_for(threads: int) -> dict[str, Any]:
    """A web worker runs `threads` request threads (settings.web_threads; web/app.py sets the
    limit); at most `threads` requests hold a session at once (web/deps.py), each with at most
    two connections (its store's, plus one helper's), and each thread may look up a signed-in
    reader with one more: 3 x threads, so no thread ever waits for a connection that a request
    waiting for a thread holds (bench/web.py found that stall twice: 15 connections for 40
    threads, then sessions held across FastAPI's second trip to the thread pool)."""
    return {"pool_size": threads, "max_overflow": 2 * threads, "pool_timeout": 30}


# A command that writes a whole file of papers (the arXiv snapshot) gives SQLite a 64 MB page
# cache and checkpoints its write-ahead log every 400 MB instead of 4: 100k papers stored in
# ~8 s instead of ~11 (bench/ingest.py). Not for the web: each pooled connection keeps its cache.
BULK_PRAGMAS = ("PRAGMA cache_size=-65536", "PRAGMA wal_autocheckpoint=100000")


def make_engine(settings: Settings, bulk: bool = False) -> Engine:
    """`bulk`: for one command writing many rows (SQLite: BULK_PRAGMAS)."""
    url = make_url(settings.database_url)
    pool = pool_for(settings.web_threads)
    if url.get_backend_name() == "sqlite":
        return _make_sqlite_engine(url.database, pool, BULK_PRAGMAS if bulk else ())
    return create_engine(url, pool_pre_ping=True, **pool)


def _make_sqlite_engine(
    database: str | None, pool: dict[str, Any], pragmas: tuple[str, ...] = ()
) -> Engine:
    in_memory = not database or database == ":memory:"
    if not in_memory:
        # the database holds password hashes and subscribers' addresses: owner only
        Path(database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # type: ignore[arg-type]
    engine = create_engine(
        f"sqlite:///{database or ':memory:'}",
        connect_args={"check_same_thread": False, "timeout": 30},
        **({} if in_memory else pool),
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers (web) and one writer (ingest) work at once.
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()
        if not in_memory:
            _owner_only(str(database))

    return engine


def checkpoint(sessions: sessionmaker[Session]) -> None:
    """SQLite: copy the write-ahead log into the database file now, without waiting for any
    reader (PASSIVE), so that closing the last connection finds little left to copy. A bulk
    command calls it while other work goes on (db/engine.BULK_PRAGMAS keeps the whole import in
    the log). Elsewhere: nothing."""
    with sessions() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _owner_only(database: str) -> None:
    """The SQLite file and its WAL files readable by their owner only (0600)."""
    for path in (database, f"{database}-wal", f"{database}-shm"):
        with contextlib.suppress(OSError):  # not there yet, or not ours to change
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
