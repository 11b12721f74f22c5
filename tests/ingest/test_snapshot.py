"""The Kaggle/Cornell arXiv snapshot: the real 200-line head, gzip, bad lines, idempotence."""

import datetime as dt
import email.utils
import gzip
import json

from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.ingest.snapshot import _rfc2822, read_snapshot
from dailypapers.papers.records import PaperRecord
from tests.conftest import fixture

HEAD = ("arxiv-snapshot", "arxiv-metadata-oai-snapshot.head200.jsonl")


def test_parse_the_real_head():
    items = [item for _, item in read_snapshot(fixture(*HEAD))]
    assert len(items) == 200 and all(isinstance(i, PaperRecord) for i in items)
    first = items[0]
    assert first.arxiv_id == "0704.0001" and first.version == 2
    assert first.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors[:2] == ("C. Balázs", "E. L. Berger")  # from authors_parsed
    assert first.categories == "hep-ph" and first.primary_category == "hep-ph"
    assert first.doi == "10.1103/PhysRevD.76.013009"
    assert first.published_at.isoformat() == "2007-04-02T19:18:42"
    assert not first.abstract.startswith(" ") and "\n" not in first.abstract


def test_submission_dates_read_like_email_utils_reads_them():
    rows = [json.loads(line) for line in fixture(*HEAD).read_text().splitlines()]
    dates = [v["created"] for row in rows for v in row["versions"]]
    for value in dates:  # the fast path, on every real date of the head
        assert _rfc2822(value) == email.utils.parsedate_to_datetime(value).replace(tzinfo=None)
    assert _rfc2822("Mon, 2 Apr 2007 19:18:42 +0200") == dt.datetime(2007, 4, 2, 17, 18, 42)
    assert _rfc2822("Sat, 31 Feb 2007 02:26:18 GMT") is None
    assert _rfc2822("yesterday") is None and _rfc2822(None) is None


def test_cli_import_gz_twice_and_a_corrupt_line(tmp_path, monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    lines = fixture(*HEAD).read_text().splitlines(keepends=True)
    lines[9] = '{"id": "0704.0010", "title": "truncated\n'
    path = tmp_path / "snapshot.json.gz"
    with gzip.open(path, "wt") as out:
        out.writelines(lines)
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", "arxiv-snapshot", str(path)])
    assert first.exit_code == 0, first.output
    assert "added 199 new papers" in first.output
    assert f"{path}:10" in first.output and "invalid JSON" in first.output
    second = runner.invoke(app, ["ingest", "arxiv-snapshot", str(path)])
    assert second.exit_code == 1
    assert "added 0 new papers, 0 updated, 199 unchanged" in second.output
    page = runner.invoke(app, ["search", "--mode", "lexical", "--json", "diphoton"])
    assert '"id": "0704.0001"' in page.output


def test_arxiv_papers_are_listed_by_category_and_day_not_put_on_the_feed(client, sessions):
    from dailypapers.ingest.pipeline import ingest
    from tests.factories import record, store_records

    ingest(sessions, (item for _, item in read_snapshot(fixture(*HEAD))))
    assert client.get("/api/daily_papers", params={"month": "2007-04"}).json() == []
    page = client.get("/arxiv", params={"category": "math.CO", "date": "2007-04-02"})
    assert page.status_code == 200 and "New on arXiv in math.CO" in page.text
    listed = client.get("/api/arxiv", params={"category": "hep-ph", "date": "2007-04-02"}).json()
    assert listed and all("hep-ph" in i["paper"]["categories"] for i in listed)
    assert not any(i["onFeed"] for i in listed)
    latest = client.get("/api/arxiv").json()  # default: the latest day with papers
    assert latest and len({i["paper"]["publishedAt"][:10] for i in latest}) == 1
    assert client.get("/api/arxiv", params={"category": "cs.%"}).status_code == 400
    assert client.get("/api/arxiv", params={"date": "2007-02-30"}).status_code == 400
    # a curated paper with its categories is found by the feed's category filter
    curated = record(
        arxiv_id="2606.00042", title="Curated combinatorics",
        categories="math.CO cs.DM", primary_category="math.CO",
    )  # fmt: skip
    store_records(sessions, curated)
    feed = client.get("/papers", params={"category": "math.CO", "date": "2026-06-10"})
    assert "Curated combinatorics" in feed.text
    assert client.get("/api/daily_papers", params={"category": "cs.DM"}).json()[0]["title"] == (
        "Curated combinatorics"
    )


def test_reading_reports_how_far_into_the_file_it_is(tmp_path):
    """The import's progress bar counts bytes of the file on disk (compressed ones for .gz),
    so a 4 GB snapshot shows how much is left."""
    lines = fixture(*HEAD).read_text().splitlines(keepends=True) * 13  # 2,600 lines
    plain, packed = tmp_path / "snapshot.json", tmp_path / "snapshot.json.gz"
    plain.write_text("".join(lines))
    with gzip.open(packed, "wt") as out:
        out.writelines(lines)
    for path in (plain, packed):
        heard: list[tuple[int, int]] = []
        read = sum(
            1 for _ in read_snapshot(path, progress=lambda n, at, h=heard: h.append((n, at)))
        )
        assert read == len(lines)
        assert [n for n, _ in heard] == [1000, 2000, len(lines)]
        positions = [at for _, at in heard]
        assert positions == sorted(positions) and 0 < positions[0] < positions[-1]
        assert positions[-1] == path.stat().st_size
