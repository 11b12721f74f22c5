"""The upsert pipeline against a real SQLite database, with the real archive."""

import dataclasses
import datetime as dt
import json
import shutil

import pytest
from sqlalchemy import select

from dailypapers.db.models import Base
from dailypapers.ingest.hf_daily import iter_files, read_path
from dailypapers.ingest.pipeline import ingest
from dailypapers.papers.store import PaperStore
from tests.conftest import fixture, shared
from tests.factories import record, store_records


def snapshot(sessions):
    """Every row of the paper tables, typed (so SQLite and PostgreSQL rows compare equal)."""
    with sessions() as session:
        return {
            name: sorted(map(tuple, session.execute(select(Base.metadata.tables[name])).all()))
            for name in ("papers", "paper_authors", "feed_entries")
        }


def read_all(*paths):
    for path in iter_files(paths):
        yield from read_path(path)


def _records_in(folder):
    """Records in raw responses, counted without the importer: plain lists, wrapper objects."""
    total = 0
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text())
        total += len(data["data"] if isinstance(data, dict) else data)
    return total


def test_every_fixture_day_imports_including_dirty_days(sessions):
    raw = fixture("hf-daily", "raw")
    report = ingest(sessions, read_all(raw))
    assert report.issues == []
    assert report.records == _records_in(raw) > 100
    with sessions() as session:
        store = PaperStore(session)
        # from the wrapper-object day and from a Python-repr day
        assert store.feed(dt.date(2025, 1, 10), dt.date(2025, 1, 10))
        assert store.feed(dt.date(2024, 12, 11), dt.date(2024, 12, 11))
        assert store.count_papers() == report.new


@pytest.mark.shared_data
def test_every_raw_file_imports_including_dirty_days(sessions):
    raw = shared("hf-daily", "raw")
    report = ingest(sessions, read_all(raw))
    assert report.issues == []
    assert report.records == 1802  # every record of the 105 responses, dirty days included
    with sessions() as session:
        store = PaperStore(session)
        # from the wrapper-object day and from a Python-repr day
        assert store.feed(dt.date(2025, 1, 10), dt.date(2025, 1, 10))
        assert store.feed(dt.date(2024, 12, 11), dt.date(2024, 12, 11))
        assert store.count_papers() == report.new


def test_importing_twice_changes_nothing(sessions):
    paths = (fixture("hf-daily", "raw"),)
    ingest(sessions, read_all(*paths))
    before = snapshot(sessions)
    again = ingest(sessions, read_all(*paths))
    assert again.new == 0 and again.result.updated == 0 and again.result.new_feed_entries == 0
    assert snapshot(sessions) == before


def test_archive_and_raw_responses_converge_in_any_order(sessions, tmp_path, settings):
    from dailypapers.db import migrate
    from dailypapers.db.engine import make_engine, make_sessionmaker

    raw_june = tmp_path / "raw"
    raw_june.mkdir()
    for path in sorted(fixture("hf-daily", "raw").glob("2026-06-0*.json")):
        shutil.copy(path, raw_june)
    archive = tmp_path / "june.jsonl"
    archived = fixture("hf-daily", "papers-2026-06-01..03.jsonl")
    with archive.open("w") as out, archived.open() as source:
        out.writelines(line for line in source if '"daily_date": "2026-06-0' in line)
    ingest(sessions, read_all(raw_june, archive))
    other_engine = make_engine(
        settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/b.db"})
    )
    migrate.upgrade(other_engine)
    other = make_sessionmaker(other_engine)
    ingest(other, read_all(archive, raw_june))

    def strip(snap):  # row ids and our own timestamps differ by design
        return {
            "papers": sorted(row[1:13] for row in snap["papers"]),
            "authors": len(snap["paper_authors"]),
            "feed": len(snap["feed_entries"]),
        }

    assert strip(snapshot(sessions)) == strip(snapshot(other))
    other_engine.dispose()


def test_newer_counts_win_older_do_not(sessions):
    first = record(arxiv_id="2606.11176", upvotes=29, num_comments=1)
    store_records(sessions, first)
    later = dt.datetime(2026, 6, 16, 23, 59)
    store_records(
        sessions, dataclasses.replace(first, upvotes=82, num_comments=3, observed_at=later)
    )
    store_records(sessions, dataclasses.replace(first, upvotes=10, num_comments=0))  # older again
    with sessions() as session:
        paper = PaperStore(session).get("2606.11176")
        assert (paper.upvotes, paper.num_comments) == (82, 3)


def test_a_bad_record_is_skipped_and_the_rest_of_the_file_lands(sessions, tmp_path):
    day = json.loads(fixture("hf-daily", "raw", "2026-06-30.json").read_text())
    day[3]["paper"]["id"] = "not-an-id"
    day[5] = "{'paper': {'id': '2606.1"  # truncated repr string
    path = tmp_path / "2026-06-30.json"
    path.write_text(json.dumps(day))
    seen = []
    report = ingest(sessions, read_path(path), on_issue=seen.append)
    assert [i.location for i in seen] == [f"{path}[3]", f"{path}[5]"]
    assert report.new == len(day) - 2


def test_dry_run_writes_nothing(sessions):
    report = ingest(sessions, read_all(fixture("hf-daily", "raw", "2026-06-30.json")), dry_run=True)
    assert report.new == 34
    with sessions() as session:
        assert PaperStore(session).count_papers() == 0


def test_one_paper_on_two_feed_days_keeps_both_entries(sessions):
    first = record(arxiv_id="2606.11176", feed_date=dt.date(2026, 6, 10))
    second = dataclasses.replace(
        first, feed_date=dt.date(2026, 6, 16), observed_at=dt.datetime(2026, 6, 16, 23)
    )
    store_records(sessions, first, second)
    with sessions() as session:
        store = PaperStore(session)
        assert store.count_papers() == 1
        assert len(store.feed(dt.date(2026, 6, 1), dt.date(2026, 6, 30))) == 2
