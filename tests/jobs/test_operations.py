"""What operators see: /admin for moderators, /metrics in the Prometheus format (right totals
with several workers), status fed by recorded runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from dailypapers.community.services import sign_up
from dailypapers.jobs.runner import JobRunner, Outcome
from tests.community.test_accounts import login, signup
from tests.smtp import free_port


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_requests_by_route_and_read_jobs_and_backlogs(client, sessions):
    runner = JobRunner(sessions)
    runner.run("follow", lambda: Outcome(2, "two"))
    with pytest.raises(RuntimeError):
        runner.run("follow", lambda: (_ for _ in ()).throw(RuntimeError("down")))
    for _ in range(3):
        client.get("/papers/2606.99999")  # unknown: 404, counted under the route template
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)
    route = (("method", "GET"), ("route", "/papers/{arxiv_id:path}"), ("status", "404"))
    assert found[("dailypapers_http_requests_total", route)] == 3
    assert found[("dailypapers_job_runs_total", (("job", "follow"), ("outcome", "ok")))] == 1
    assert found[("dailypapers_job_runs_total", (("job", "follow"), ("outcome", "failed")))] == 1
    assert ("dailypapers_backlog", (("kind", "lexical_queue"),)) in found
    assert found[("dailypapers_database_bytes", ())] > 0


def test_admin_is_for_moderators(client, sessions):
    with sessions() as session:
        sign_up(session, "mod", "mod@example.org", "correct horse battery").is_moderator = True
        session.commit()
    assert client.get("/admin.json").status_code == 401
    signup(client, "reader", "reader@example.org")
    assert client.get("/admin").status_code == 403
    client.post("/logout", data={"csrf_token": client.cookies["dp_csrf"]})
    JobRunner(sessions).run("digests", lambda: Outcome(0, "none due before 20:00 UTC"))
    assert login(client, "mod").status_code == 303
    page = client.get("/admin")
    assert page.status_code == 200 and "none due before 20:00 UTC" in page.text
    assert page.headers["cache-control"] == "no-store" and 'href="/admin"' in page.text
    status = client.get("/admin.json").json()
    jobs = {j["name"]: j for j in status["jobs"]}
    assert jobs["digests"]["lastRun"]["outcome"] == "nothing" and jobs["follow"]["lastRun"] is None
    assert jobs["follow"]["nextRun"].endswith("Z") and jobs["index"]["nextRun"] is None
    assert {"without_embeddings", "lexical_queue", "digests_pending"} <= set(status["backlogs"])


def _serve(tmp_path, port, workers, **extra):  # noqa: ANN001, ANN003, ANN202
    quiet = {"DAILYPAPERS_SCHEDULER": "false", "DAILYPAPERS_SEARCH_WORKER": "false",
             "DAILYPAPERS_CACHE_SECONDS": "0"}  # fmt: skip
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(tmp_path), **quiet, **extra}
    env.pop("DAILYPAPERS_DATABASE_URL", None)
    if "PROMETHEUS_MULTIPROC_DIR" not in extra:
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    cmd = [sys.executable, "-m", "dailypapers.cli", "serve", "--port", str(port),
           "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


HEALTHZ_200 = ("dailypapers_http_requests_total",
               (("method", "GET"), ("route", "/healthz"), ("status", "200")))  # fmt: skip


def _hit(port: int, times: int) -> None:
    for _ in range(times):
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200


@pytest.mark.slow
def test_serve_with_two_workers_counts_in_a_shared_folder(tmp_path):
    port = free_port()
    server = _serve(tmp_path, port, workers=2)
    try:
        _hit(port, 30)
        found = samples(httpx.get(f"http://127.0.0.1:{port}/metrics").text)
        assert found[HEALTHZ_200] >= 31  # the start-up probe(s) too
        assert list((tmp_path / "metrics").glob("counter_*.db"))
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_metrics_add_up_every_process(tmp_path):
    """Two processes sharing the folder, as uvicorn's workers do: either one's /metrics reports
    the requests both answered."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    ports = [free_port(), free_port()]
    servers = [_serve(tmp_path, p, 1, PROMETHEUS_MULTIPROC_DIR=str(shared)) for p in ports]
    try:
        before = samples(httpx.get(f"http://127.0.0.1:{ports[0]}/metrics").text)[HEALTHZ_200]
        _hit(ports[0], 10)
        _hit(ports[1], 15)
        after = samples(httpx.get(f"http://127.0.0.1:{ports[0]}/metrics").text)[HEALTHZ_200]
        assert after - before == 25
        assert len(list(shared.glob("counter_*.db"))) == 2
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
