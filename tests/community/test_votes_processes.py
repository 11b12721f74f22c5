"""Votes through a real multi-process server: three uvicorn workers, 100 voters double-clicking
at once over HTTP, on SQLite and on PostgreSQL. The count must be exact."""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dailypapers.community import services
from dailypapers.community.store import CommunityStore
from dailypapers.papers.store import PaperStore
from tests.factories import record, store_records
from tests.smtp import free_port

# kills processes or runs whole commands: `make test FAST=1` leaves them out
pytestmark = pytest.mark.slow


def serve(settings, workers=3, **extra_env):
    """`dailypapers serve` in a process of its own on a free port: (process, base URL)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(extra_env)
    env["DAILYPAPERS_DATABASE_URL"] = settings.database_url
    env["DAILYPAPERS_DATA_DIR"] = str(settings.data_dir)
    env["DAILYPAPERS_SEARCH_WORKER"] = "false"
    env["DAILYPAPERS_SCHEDULER"] = "false"
    cmd = [sys.executable, "-m", "dailypapers.cli", "serve", "--port", str(port),
           "--workers", str(workers), "--no-access-log"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/static/style.css", timeout=1)
            return proc, f"http://127.0.0.1:{port}"
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


def voters(sessions, count):
    """A paper with 3 upvotes from elsewhere, and `count` readers' API tokens."""
    store_records(sessions, record(arxiv_id="2606.00001", upvotes=3))
    with sessions() as session:
        store = CommunityStore(session)
        users = [store.add_user(f"user{i}", f"u{i}@example.org", "x") for i in range(count)]
        tokens = [services.issue_api_token(u) for u in users]
        session.commit()
        return PaperStore(session).get("2606.00001").id, tokens


def test_votes_from_many_processes_count_exactly(sessions, settings, engine):
    paper_id, tokens = voters(sessions, 100)
    proc, base = serve(settings)
    try:

        def cast(token):
            with httpx.Client(base_url=base, timeout=30) as http:
                headers = {"Authorization": f"Bearer {token}"}
                return [http.post("/api/papers/2606.00001/vote", headers=headers).status_code
                        for _ in range(2)]  # fmt: skip

        with ThreadPoolExecutor(max_workers=32) as pool:
            codes = [c for pair in pool.map(cast, tokens) for c in pair]
        # and a quarter of them take their vote back, also at once
        with ThreadPoolExecutor(max_workers=25) as pool:
            undone = list(pool.map(lambda t: httpx.delete(
                f"{base}/api/papers/2606.00001/vote", headers={"Authorization": f"Bearer {t}"},
                timeout=30).status_code, tokens[:25]))  # fmt: skip
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    assert set(codes) == {200} and set(undone) == {200}
    with sessions() as session:
        store = CommunityStore(session)
        assert store.votes_of(paper_id) == (3 + 75, 75)
        assert store.count_votes_rows(paper_id) == 75


def test_more_writers_than_threads_never_stall_a_worker(sessions, settings, engine):
    """120 votes at once on one paper in one worker (6 request threads). Each writer holds the
    paper's lock until its commit, which comes after FastAPI validates the answer in a thread:
    when waiting writers held every thread, the worker stalled until SQLite's busy timeout (30 s)
    and on PostgreSQL for good. The client's 20 s timeout turns that stall into a failure."""
    paper_id, tokens = voters(sessions, 120)
    proc, base = serve(settings, workers=1)
    try:

        def cast(token):
            headers = {"Authorization": f"Bearer {token}"}
            url = f"{base}/api/papers/2606.00001/vote"
            return httpx.post(url, headers=headers, timeout=20).status_code

        with ThreadPoolExecutor(max_workers=120) as pool:
            codes = list(pool.map(cast, tokens))
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    assert codes == [200] * 120
    with sessions() as session:
        assert CommunityStore(session).votes_of(paper_id) == (3 + 120, 120)


def test_more_readers_than_threads_never_wait_for_a_connection(sessions, settings):
    """80 uncached reads at once into one worker with 2 request threads. A request keeps its
    connection until FastAPI has serialised its answer in a second trip to the thread pool:
    when requests waiting for that trip held every pooled connection, each thread waited for one
    until the pool's 30 s timeout. The client's 20 s timeout turns that stall into a failure."""
    store_records(sessions, *[record() for _ in range(30)])
    proc, base = serve(settings, workers=1, DAILYPAPERS_WEB_THREADS="2",
                       DAILYPAPERS_CACHE_SECONDS="0")  # fmt: skip
    try:

        def read(_):
            return httpx.get(f"{base}/api/daily_papers?limit=30", timeout=20).status_code

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=80) as pool:
            codes = list(pool.map(read, range(80)))
        took = time.monotonic() - started
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    assert codes == [200] * 80
    assert took < 15
