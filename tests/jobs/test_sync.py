"""`dailypapers sync`: the steps in order, exit codes, one instance following another, arXiv
metadata for curated papers, digests when due, health and links that follow the port."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from typer.testing import CliRunner

from dailypapers.cli import app as cli
from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.db.models import utcnow
from dailypapers.ingest.follow import follow
from dailypapers.ingest.hf_daily import read_path
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.pipeline import ingest
from dailypapers.ingest.store import IngestStore
from dailypapers.jobs.runner import JobRunner
from dailypapers.jobs.steps import Context, arxiv_step, due_digests, enrich_step
from dailypapers.jobs.store import JobStore
from dailypapers.jobs.sync import sync
from dailypapers.papers.store import PaperStore
from dailypapers.web.app import create_app
from tests.conftest import fixture
from tests.factories import record, store_records
from tests.jobs.helpers import clock_at, fake_hub
from tests.jobs.test_follow import feed
from tests.replay import Reply

JUNE_3 = dt.date(2026, 6, 3)


@contextmanager
def serving(app) -> Iterator[str]:  # noqa: ANN001
    """A real HTTP server for `app` on loopback, in a thread."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_instance_b_follows_instance_a(app, sessions, settings, tmp_path):
    for day in ("2026-06-01", "2026-06-02", "2026-06-03"):
        ingest(sessions, read_path(fixture("hf-daily", "raw", f"{day}.json")))
    b_settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/b.db"})
    b_engine = make_engine(b_settings)
    migrate.upgrade(b_engine)
    b = make_sessionmaker(b_engine)
    with serving(app) as a_url, PoliteClient(min_interval=0, retries=0) as client:
        report = follow(b, client, a_url, JUNE_3, since=dt.date(2026, 6, 1))
    assert report.error is None and report.ingest.issues == []
    assert feed(b) == feed(sessions) and len(feed(b)) > 100
    b_engine.dispose()


def test_sync_runs_the_steps_and_says_what_each_did(sessions, settings):
    with fake_hub() as (server, _hub):
        ctx = Context(
            settings.model_copy(update={"follow_url": server.url, "follow_delay": 0}),
            sessions, clock=clock_at(JUNE_3, hour=9), since=dt.date(2026, 6, 1),
            sleep=lambda s: None,
        )  # fmt: skip
        reports = sync(ctx, JobRunner(sessions), ["follow", "index", "digests"])
    follow_step, index_step, digests_step = (r.outcome for r in reports)
    assert follow_step and follow_step.new > 100 and "2026-06-01..2026-06-03" in follow_step.summary
    assert index_step and "indexed by words" in index_step.summary
    assert digests_step and digests_step.summary == "none due before 20:00 UTC"


def test_a_failing_step_does_not_stop_the_others(sessions, settings):
    with fake_hub() as (server, hub):
        hub.down = {"2026-06-02"}
        ctx = Context(
            settings.model_copy(update={"follow_url": server.url, "follow_delay": 0}),
            sessions, clock=clock_at(JUNE_3), since=dt.date(2026, 6, 1), sleep=lambda s: None,
        )  # fmt: skip
        reports = sync(ctx, JobRunner(sessions), ["follow", "index"])
    assert reports[0].failed and "HTTP 503" in (reports[0].outcome.error or "")
    assert reports[0].outcome.new > 0  # the day before the outage landed
    assert not reports[1].failed


@pytest.fixture
def run_cli(settings, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DAILYPAPERS_FOLLOW_DELAY", "0")
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args))


def test_sync_command_exit_codes(run_cli, monkeypatch):
    with fake_hub() as (server, hub):
        monkeypatch.setenv("DAILYPAPERS_FOLLOW_URL", server.url)
        since = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)).isoformat()
        hub.raw = fixture("hf-daily", "raw")
        quiet = run_cli("sync", "--only", "follow", "--since", since)
        assert quiet.exit_code == 1, quiet.output  # days without papers: nothing new
        assert "follow: " in quiet.output and "0 new papers" in quiet.output
        hub.down = {since}
        down = run_cli("sync", "--only", "follow", "--since", since)
        assert down.exit_code == 2 and "failed: follow" in down.output
    wrong = run_cli("sync", "--only", "everything")
    assert wrong.exit_code == 2 and "--only is one of" in wrong.output
    status = run_cli("status")
    assert status.exit_code == 0 and "follow   failed" in status.output
    assert "without embeddings" in status.output and "database:" in status.output


def test_enrich_fills_in_arxiv_metadata_of_curated_papers(sessions, settings, arxiv):
    store_records(sessions, record(arxiv_id="1605.08386", title="Curated, no categories yet"))
    ctx = Context(settings.model_copy(update={"arxiv_api_url": arxiv.url + "/api/query",
                                              "arxiv_delay": 0}), sessions)  # fmt: skip
    outcome = enrich_step(ctx)
    assert outcome.error is None and "1 papers asked of arXiv, 1 updated" in outcome.summary
    with sessions() as session:
        paper = PaperStore(session).get("1605.08386")
        assert paper is not None and paper.categories and len(paper.feed_entries) == 1
        assert PaperStore(session).without_arxiv_metadata(10) == []
    assert "every paper" in enrich_step(ctx).summary


def test_digests_are_due_on_weekdays_from_the_hour_and_weekly_on_mondays():
    wed = dt.datetime(2026, 6, 10, 20, 5)
    assert due_digests(wed, 20) == [("daily", wed.date())]
    assert due_digests(wed.replace(hour=19), 20) == []
    assert due_digests(dt.datetime(2026, 6, 13, 21), 20) == []  # Saturday
    monday = dt.datetime(2026, 6, 15, 20)
    assert due_digests(monday, 20) == [("daily", monday.date()), ("weekly", dt.date(2026, 6, 14))]


def test_links_follow_the_port_and_production_wants_a_base_url(tmp_path):
    assert Settings(port=19400, data_dir=tmp_path).base_url == "http://127.0.0.1:19400"
    assert Settings(host="0.0.0.0", port=8001).base_url == "http://127.0.0.1:8001"
    with pytest.raises(ValueError, match="DAILYPAPERS_BASE_URL must be set"):
        Settings(env="production", secret_key="x" * 40)
    named = Settings(env="production", secret_key="x" * 40, base_url="https://papers.example/")
    assert named.base_url == "https://papers.example"


def test_healthz(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok", "database": "ok"}


def test_the_app_runs_the_schedule_only_when_asked(settings, search, client, app):
    from fastapi.testclient import TestClient

    assert app.state.scheduler is None  # DAILYPAPERS_SCHEDULER=false (the test settings)
    on = create_app(settings.model_copy(update={"scheduler": True, "follow_url": ""}), search)
    with TestClient(on):
        jobs = {job.id for job in on.state.scheduler.get_jobs()}
        assert on.state.scheduler.running
        assert jobs == {"follow", "arxiv", "enrich", "digests", "vectors", "follow-at-start"}
    assert not on.state.scheduler.running
    on.state.engine.dispose()


def test_the_arxiv_step_lists_new_papers_of_the_chosen_categories(sessions, settings, arxiv):
    recorded = fixture("arxiv-api", "recorded_2026")
    page = next(recorded.glob("q_testing_s0_m10_*.json"))
    empty = next(recorded.glob("id_0000.0000_*.json"))
    arxiv.add(
        lambda path, q: q.get("search_query") == "cat:cs.CL" and q.get("start") == "0",
        Reply(200, json.loads(page.read_text())["body"].encode()),
    )
    arxiv.add(
        lambda path, q: q.get("search_query") == "cat:cs.CL",
        Reply(200, json.loads(empty.read_text())["body"].encode()),
    )
    ctx = Context(
        settings.model_copy(update={"arxiv_api_url": arxiv.url + "/api/query", "arxiv_delay": 0,
                                    "arxiv_categories": "cs.CL"}),
        sessions, clock=clock_at(dt.date(2000, 1, 4)),
    )  # fmt: skip
    outcome = arxiv_step(ctx)
    assert outcome.error is None and outcome.new > 0, outcome
    assert "cs.CL: " in outcome.summary and "since 2000-01-01" in outcome.summary
    with sessions() as session:
        assert PaperStore(session).latest_feed_date() is None  # listed, not curated
        assert IngestStore(session).get_meta("arxiv:cs.CL") is not None
    assert arxiv_step(ctx).new == 0  # a second run finds nothing new
    off = arxiv_step(Context(settings, sessions))
    assert "off" in off.summary and off.new == 0


def test_a_second_sync_while_one_runs_says_so_and_exits_1(run_cli, sessions):
    with sessions() as session:  # a live sync elsewhere holds the follow lease
        JobStore(session).acquire("follow", "otherhost:1:abc", utcnow(), dt.timedelta(hours=1))
        session.commit()
    second = run_cli("sync", "--only", "follow")
    assert second.exit_code == 1
    assert "follow is running in otherhost:1:abc" in second.output
    assert "another sync is running" in second.output


@pytest.mark.slow
def test_kill_9_in_the_middle_of_a_sync_then_the_next_run_finishes_it(settings, sessions, tmp_path):
    env = {**os.environ, "DAILYPAPERS_DATABASE_URL": settings.database_url,
           "DAILYPAPERS_DATA_DIR": str(tmp_path), "DAILYPAPERS_FOLLOW_DELAY": "0"}  # fmt: skip
    cmd = [sys.executable, "-m", "dailypapers.cli", "sync", "--only", "follow",
           "--since", "2026-06-01"]  # fmt: skip
    with fake_hub() as (server, hub):
        env["DAILYPAPERS_FOLLOW_URL"] = server.url
        hub.slow["2026-06-03"] = 30  # hangs here, after two days landed
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not any(q.get("date") == "2026-06-03" for _, _, q in server.log):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert {day for day, *_ in feed(sessions)} == {dt.date(2026, 6, 1), dt.date(2026, 6, 2)}
        hub.slow.clear()
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert rerun.returncode in (0, 1), rerun.stderr  # the dead run's lease is taken over
        other = tmp_path / "uninterrupted.db"
        b = make_engine(settings.model_copy(update={"database_url": f"sqlite:///{other}"}))
        migrate.upgrade(b)
        with PoliteClient(min_interval=0, retries=0) as client:
            follow(make_sessionmaker(b), client, server.url, dt.datetime.now(dt.UTC).date(),
                   since=dt.date(2026, 6, 1))  # fmt: skip
    assert feed(sessions) == feed(make_sessionmaker(b))
    b.dispose()


def test_the_vectors_job_builds_the_graph_once_the_corpus_is_large_enough(
    sessions, settings, embedder, monkeypatch
):
    from dailypapers.search import mapped
    from dailypapers.search.runtime import build_search
    from tests.factories import record, store_records

    store_records(sessions, *[record() for _ in range(4)])
    build_search(settings, sessions, embedder).indexer.embed_pending()
    ctx = Context(settings, sessions, clock=clock_at(JUNE_3))
    (small,) = sync(ctx, JobRunner(sessions), ["vectors"])
    assert small.outcome and "not needed yet" in small.outcome.summary
    if sessions.kw["bind"].dialect.name == "postgresql":
        return  # pgvector's index lives in the database: there is never a graph to build
    monkeypatch.setattr(mapped, "EXACT_BELOW", 3)  # as if this were a large instance
    (built,) = sync(ctx, JobRunner(sessions), ["vectors"])
    assert built.outcome and "vector graph: 4 papers (generation 1)" in built.outcome.summary
    assert list((settings.search_dir / "vectors-v1").glob("base-1.usearch"))
