"""Shared fixtures: a fresh SQLite database and app per test, real data from ../shared."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
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
from tests.smtp import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("DAILYPAPERS_SHARED_DATA", ROOT.parent / "shared" / "data"))


def shared(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared test data missing: {path} (set DAILYPAPERS_SHARED_DATA)")
    return path


def _backends() -> list[str]:
    default = "sqlite,postgres" if postgres.available() else "sqlite"
    return os.environ.get("DAILYPAPERS_TEST_BACKENDS", default).split(",")


@pytest.fixture
def arxiv() -> Iterator[ReplayServer]:
    """A loopback HTTP server answering like the arXiv API, from recorded responses."""
    with arxiv_replay(shared("arxiv-api", "recorded_2026")) as server:
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


@pytest.fixture(params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every test that touches the database runs on SQLite and on PostgreSQL (own database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dailypapers.db'}"
        return
    server = request.getfixturevalue("pg_server")
    url = server.new_database()
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
