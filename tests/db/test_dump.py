"""`dailypapers export` / `import`: a whole instance round-trips row for row; a damaged dump
loses only its damaged lines, each reported with its line number."""

import json

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.common.tokens import make_token
from dailypapers.community import comments, services
from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.dump import export_dump, import_dump, tables
from dailypapers.db.engine import make_engine
from dailypapers.digest.compose import Interests
from dailypapers.digest.services import Origin, confirm, request_subscription
from dailypapers.ingest.hf_daily import read_path
from dailypapers.ingest.pipeline import ingest
from dailypapers.papers.store import PaperStore
from dailypapers.search.documents import SearchDoc
from dailypapers.search.store import SearchStore
from tests.conftest import fixture


def rows(engine):
    with engine.connect() as conn:
        return {t.name: sorted(map(tuple, conn.execute(select(t)).all())) for t in tables()}


@pytest.fixture
def instance(sessions, settings):
    ingest(sessions, read_path(fixture("hf-daily", "raw", "2025-01-10.json")))
    with sessions() as session:
        user = services.sign_up(session, "ada", "ada@example.org", "correct horse battery")
        paper = PaperStore(session).get("2501.05441")
        services.vote(session, user, paper.id)
        comments.add_comment(session, user, paper.id, "Nice **work** — ünïcode")
        SearchStore(session).save_embeddings(
            "m", [SearchDoc(paper.id, "t", "a")], np.ones((1, 4), dtype=np.float32), ["h"],
            [np.ones((2, 4), dtype=np.float32)],
        )  # fmt: skip
        interests = Interests(keywords=("graphs",))
        origin = Origin("test", "::1")
        notice = request_subscription(session, "ada@example.org", "weekly", interests, user, origin)
        session.commit()
        key = settings.signing_key()
        confirm(session, key, make_token(key, "confirm", notice.reader), Origin("test"))
        session.commit()


def fresh_engine(tmp_path, url=None):
    engine = make_engine(Settings(database_url=url or f"sqlite:///{tmp_path / 'copy.db'}",
                                  data_dir=tmp_path))  # fmt: skip
    migrate.upgrade(engine)
    return engine


@pytest.mark.parametrize("name", ["instance.jsonl", "instance.jsonl.gz"])
def test_round_trip_row_for_row(instance, engine, tmp_path, name, database_url):
    dump = tmp_path / name
    counts = export_dump(engine, dump)
    assert counts["papers"] == 9 and counts["subscribers"] == 1 and counts["votes"] == 1
    target = fresh_engine(tmp_path)  # into SQLite, from either backend
    report = import_dump(target, dump)
    assert report.problems == []
    assert rows(target) == rows(engine)
    again = import_dump(target, dump)  # a rerun (after a crash, say) adds nothing
    assert again.problems == [] and rows(target) == rows(engine)
    target.dispose()


def test_damaged_lines_are_reported_and_skipped(instance, engine, tmp_path):
    dump = tmp_path / "instance.jsonl"
    export_dump(engine, dump)
    lines = dump.read_text().splitlines()
    paper_line = next(i for i, line in enumerate(lines) if '"t": "papers"' in line)
    paper_id = json.loads(lines[paper_line])["r"]["id"]
    children = [i for i, line in enumerate(lines)
                if json.loads(line).get("r", {}).get("paper_id") == paper_id]  # fmt: skip
    lines[paper_line] = lines[paper_line][:40]  # cut short
    vote_line = next(i for i, line in enumerate(lines) if '"t": "votes"' in line)
    lines[vote_line] = lines[vote_line].replace('"user_id": ', '"user_id": "x", "nope": ')
    lines.insert(3, '{"t": "no_such_table", "r": {}}')
    dump.write_text("\n".join(lines) + "\n")
    target = fresh_engine(tmp_path)
    env = {"DAILYPAPERS_DATABASE_URL": str(target.url), "DAILYPAPERS_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(app, ["import", str(dump)], env=env)
    assert result.exit_code == 1, result.output
    assert paper_line < 3 and f"line {paper_line + 1}:" in result.output  # the cut paper
    assert "line 4: unknown table" in result.output
    # the paper's authors and feed entry cannot land without it: said line by line
    assert sum(f"line {i + 2}:" in result.output for i in children if i >= 3) >= 1
    before, after = rows(engine), rows(target)
    assert len(after["papers"]) == len(before["papers"]) - 1
    assert after["users"] == before["users"] and after["subscribers"] == before["subscribers"]
    target.dispose()


def test_not_a_dump_is_a_clear_error(tmp_path, engine, settings, monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", settings.database_url)
    (tmp_path / "x.jsonl").write_text("hello\n")
    result = CliRunner().invoke(app, ["import", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 2 and "not a Daily Papers dump" in result.output
    missing = CliRunner().invoke(app, ["import", str(tmp_path / "nothing.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
