"""The arXiv API client and parser against recorded responses replayed on 127.0.0.1."""

import pytest

from dailypapers.ingest.arxiv_api import ArxivApi, parse_feed
from dailypapers.ingest.hf_daily import Issue
from dailypapers.ingest.http import FetchError, PoliteClient, retry_after_seconds
from dailypapers.ingest.pipeline import ingest
from dailypapers.papers.records import PaperRecord
from dailypapers.papers.store import PaperStore
from tests.conftest import fixture
from tests.replay import ReplayServer, Reply


def client(**kwargs):
    waits = []
    defaults = {"min_interval": 0, "sleep": waits.append}
    return PoliteClient(**{**defaults, **kwargs}), waits


def test_parse_new_format_entry():
    body = fixture("arxiv-api", "recorded_2026", "id_2104.12255v1_s0_m100_6ae69987ffe1.body.xml")
    page = parse_feed(body.read_bytes(), "x")
    [record] = page.items
    assert record.arxiv_id == "2104.12255" and record.version == 1
    assert record.title == "0" and record.primary_category == "cs.CR"
    assert record.authors == ("Quan Thoi Minh Nguyen",)
    assert record.published_at.isoformat() == "2021-04-20T16:07:14"


def test_parse_legacy_2016_format():
    body = fixture("arxiv-api", "legacy_xml", "id_list=1111.2011v2.xml").read_bytes()
    [record] = parse_feed(body, "legacy").items
    assert record.arxiv_id == "1111.2011" and record.version == 2
    assert record.title.startswith("Quantum Criticality for Extended Nodes on a Bethe Lattice")
    assert "\n" not in record.title and record.abstract.startswith("Theoretical description")
    assert record.authors == ("James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic")
    assert record.doi == "10.1103/PhysRevB.85.115117"
    assert record.journal_ref == "Phys. Rev. B 85, 115117 (2012)"
    assert record.comments == "8 pages, 3 figures. Published version"


def test_ids_including_old_style_and_a_missing_one(arxiv, sessions):
    http, _ = client()
    api = ArxivApi(http, arxiv.url + "/api/query")
    items = list(api.by_ids(["astro-ph/0601001"])) + list(api.by_ids(["0808.05394", "1707.08567"]))
    records = [i for i in items if isinstance(i, PaperRecord)]
    assert [r.arxiv_id for r in records] == ["astro-ph/0601001", "1707.08567"]
    report = ingest(sessions, items)
    assert report.new == 2
    with sessions() as session:
        paper = PaperStore(session).get("astro-ph/0601001")
        assert paper.primary_category == "astro-ph" and paper.categories.startswith("astro-ph")


def test_error_feed_for_a_malformed_id_is_an_issue(arxiv):
    http, _ = client()
    [issue] = ArxivApi(http, arxiv.url + "/api/query").by_ids(["abc"])
    assert isinstance(issue, Issue)
    assert "incorrect id format for abc" in issue.message and "400" in issue.location


def test_search_pages_through_results(arxiv):
    http, _ = client()
    api = ArxivApi(http, arxiv.url + "/api/query", page_size=10)
    items = list(api._pages({"search_query": "testing"}, limit=60))
    assert len(items) == 60
    assert [q["start"] for _, _, q in arxiv.log] == ["0", "10", "20", "30", "40", "50"]
    assert len({i.arxiv_id for i in items}) == 60  # pages do not overlap


def test_client_spaces_requests(arxiv):
    http = PoliteClient(min_interval=0.3)
    api = ArxivApi(http, arxiv.url + "/api/query", page_size=10)
    list(api._pages({"search_query": "testing"}, limit=30))
    times = [t for t, _, _ in arxiv.log]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.29


def test_retries_5xx_with_backoff_then_gives_up():
    with ReplayServer() as server:
        busy = Reply(503, b"", {"Retry-After": "7"})
        server.add(lambda p, q: True, Reply(502, b"bad gateway"), busy, Reply(200, b"ok"))
        http, waits = client(retries=3, backoff=2)
        assert http.get(server.url).text == "ok"
        assert waits == [2, 7]  # backoff, then what Retry-After asked
    with ReplayServer() as server:
        server.add(lambda p, q: True, Reply(500, b"down"))
        http, waits = client(retries=2, backoff=1)
        with pytest.raises(FetchError, match="gave up after 3 attempts"):
            http.get(server.url)
        assert waits == [1, 2]


def test_timeouts_are_retried():
    with ReplayServer() as server:
        server.add(lambda p, q: True, Reply(200, b"slow", delay=1.0), Reply(200, b"fast"))
        http, waits = client(timeout=0.3, retries=1, backoff=0.5)
        assert http.get(server.url).text == "fast"
        assert waits == [0.5]


def test_retry_after_http_date():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10
    assert retry_after_seconds("soon") is None


def test_newer_version_updates_and_keeps_votes(arxiv, sessions):
    from tests.factories import record, store_records

    store_records(sessions, record(arxiv_id="2104.12255", title="Old title", upvotes=17,
                                   num_comments=4))  # fmt: skip
    http, _ = client()
    report = ingest(sessions, ArxivApi(http, arxiv.url + "/api/query").by_ids(["2104.12255v1"]))
    assert report.result.updated == 1
    with sessions() as session:
        paper = PaperStore(session).get("2104.12255")
        assert paper.title == "0" and paper.version == 1 and paper.primary_category == "cs.CR"
        assert (paper.upvotes, paper.num_comments) == (17, 4)
        assert len(paper.feed_entries) == 1  # its HF day: arXiv lists papers, it curates none


def test_cli_ingest_arxiv_exit_codes(arxiv, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dailypapers.cli import app

    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DAILYPAPERS_ARXIV_API_URL", arxiv.url + "/api/query")
    monkeypatch.setenv("DAILYPAPERS_ARXIV_DELAY", "0")
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    run = lambda *a: CliRunner().invoke(app, ["ingest", "arxiv", *a])  # noqa: E731
    first = run("--id", "0808.05394", "--id", "1707.08567")  # the first does not exist
    assert first.exit_code == 0, first.output
    assert "added 1 new papers" in first.output
    assert run("--id", "2104.12255v1").exit_code == 0
    assert run("--id", "2104.12255v1").exit_code == 1
    bad = run("--id", "abc")
    assert bad.exit_code == 1 and "incorrect id format for abc" in bad.output
    assert run("--id", "x", "--category", "cs.CL").exit_code == 2
    assert run("--category", "cs.CL", "--since", "yesterday").exit_code == 2
