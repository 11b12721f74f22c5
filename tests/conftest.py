"""Shared fixtures: a fresh database (SQLite, then PostgreSQL) and app per test; real data from
tests/data (always there) and, for the few tests that need the large sets, ../shared/data."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.search.embeddings import MiniLMEmbedder
from dailypapers.search.runtime import SearchRuntime, build_search
from dailypapers.web.app import create_app
from tests import postgres
from tests.replay import ReplayServer, arxiv_replay
from tests.smtp import SmtpServer, free_port

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data"
SHARED_DATA = Path(os.environ.get("DAILYPAPERS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def fixture(*parts: str) -> Path:
    """A file or folder of tests/data (small real data kept with the tests; see SOURCE.md)."""
    path = FIXTURES.joinpath(*parts)
    assert path.exists(), f"missing test fixture {path}"
    return path


def shared(*parts: str) -> Path:
    """A large data set in ../shared/data: a skip without it, except in CI where it must be."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"large data set missing: {path} (set DAILYPAPERS_SHARED_DATA)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def _backends() -> list[str]:
    default = "sqlite,postgres" if postgres.available() else "sqlite"
    return os.environ.get("DAILYPAPERS_TEST_BACKENDS", default).split(",")


@pytest.fixture
def arxiv() -> Iterator[ReplayServer]:
    """A loopback HTTP server answering like the arXiv API, from recorded responses."""
    with arxiv_replay(fixture("arxiv-api", "recorded_2026")) as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that keeps every message it accepts."""
    with SmtpServer() as server:
        yield server


def with_smtp(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_starttls": False,
            "mail_from": "Daily Papers <digest@papers.test>",
            "digest_retry_base": 0.01,
        }
    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.TestPostgres]:
    server = postgres.TestPostgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with the current schema, migrated once per run; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "dailypapers.db"
    engine = make_engine(Settings(env="test", database_url=f"sqlite:///{path}"))
    migrate.upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every test that touches the database runs on SQLite and on PostgreSQL, each on its own
    copy of a database migrated once per run (the `engine` fixture's upgrade is then a no-op)."""
    if request.param == "sqlite":
        path = tmp_path / "dailypapers.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("pg_server")
    url = server.new_database(template=server.migrated_template())
    yield url
    server.drop_database(url)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        env="test",
        data_dir=tmp_path,
        database_url=database_url,
        base_url="http://testserver",
        search_worker=False,
        scheduler=False,  # jobs run when a test calls them (tests/jobs)
        cache_seconds=0,  # tests read their own writes at once; the cache has its own test
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    """The real model, loaded once per test run."""
    return MiniLMEmbedder(threads=2)


@pytest.fixture
def search(settings: Settings, sessions: sessionmaker[Session], embedder) -> SearchRuntime:
    return build_search(settings, sessions, embedder)


@pytest.fixture
def app(settings: Settings, engine: Engine, search: SearchRuntime) -> Iterator[FastAPI]:
    app = create_app(settings, search=search)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[str]:
    """The app served by a real uvicorn on loopback (browsers and outside clients talk to it)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
