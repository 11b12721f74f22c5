"""A read-only or full database gives a clear message, never a traceback, and loses nothing."""

import json
import sqlite3

import pytest
from sqlalchemy import event, text
from typer.testing import CliRunner

from dailypapers.cli import app as cli
from dailypapers.community.services import sign_up
from dailypapers.db import engine as engine_module
from tests.conftest import fixture
from tests.factories import record, store_records


def make_read_only(engine, database_url, pg_server=None):
    if database_url.startswith("sqlite"):
        # what SQLite answers for a read-only file or mount (root ignores file permissions)
        event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA query_only = ON"))
    else:
        with engine.connect() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar()
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
            conn.commit()
    engine.dispose()


def test_web_answers_503_with_a_reason_and_keeps_serving_reads(client, app, sessions, database_url):
    store_records(sessions, record(arxiv_id="2606.00001", title="Readable paper"))
    with sessions() as session:
        sign_up(session, "ada", "ada@example.org", "a long enough secret")
        session.commit()
    client.get("/login")
    token = client.cookies.get("dp_csrf")
    form = {"login": "ada", "password": "a long enough secret", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 200
    make_read_only(app.state.engine, database_url)
    assert "Readable paper" in client.get("/papers?date=2026-06-10").text
    voted = client.post(
        "/papers/2606.00001/vote", headers={"x-csrf-token": client.cookies.get("dp_csrf")}
    )
    assert voted.status_code == 503 and voted.headers["retry-after"] == "60"
    assert "Cannot save right now: the database is read-only" in voted.text
    api = client.post("/api/subscriptions", json={"email": "x@example.org"})
    assert api.status_code == 503 and "read-only" in api.json()["error"]


@pytest.fixture
def full_disk(monkeypatch):
    """SQLite's 'database or disk is full', as a small disk gives it, after `pages` pages."""
    make = engine_module._make_sqlite_engine

    def limited(database, pool, pragmas=()):
        engine = make(database, pool, pragmas)
        event.listen(engine, "connect", lambda c, _: c.execute("PRAGMA max_page_count = 500"))
        return engine

    monkeypatch.setattr(engine_module, "_make_sqlite_engine", limited)


def many_papers(path, copies):
    """The fixture archive's real lines, `copies` times over under new arXiv ids."""
    lines = fixture("hf-daily", "papers-2026-06-01..03.jsonl").read_text().splitlines()
    with path.open("w") as out:
        for copy in range(copies):
            for number, line in enumerate(lines):
                row = json.loads(line)
                row["arxiv_id"] = f"26{copy + 1:02d}.{number:05d}"
                out.write(json.dumps(row) + "\n")
    return path


def test_cli_on_a_full_disk_says_so_and_keeps_whole_batches(tmp_path, monkeypatch, full_disk):
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    runner = CliRunner()
    archive = many_papers(tmp_path / "archive.jsonl", copies=12)  # three batches of 500
    result = runner.invoke(cli, ["ingest", "hf-daily", str(archive)])
    assert result.exit_code == 2
    assert "the disk is full" in result.output
    assert isinstance(result.exception, SystemExit)  # a deliberate exit, not a crash
    with sqlite3.connect(tmp_path / "dailypapers.db") as conn:
        landed = conn.execute("SELECT count(*) FROM feed_entries").fetchone()[0]
    assert landed % 500 == 0 and 0 < landed < 12 * 119  # whole batches before the disk filled
