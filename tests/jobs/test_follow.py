"""Following a curated list day by day: paging, refreshing, outages, dirty days, resuming."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from dailypapers.db.models import FeedEntry, Paper
from dailypapers.ingest import follow as follow_module
from dailypapers.ingest.follow import days_to_follow, follow
from dailypapers.ingest.http import PoliteClient
from tests.jobs.helpers import fake_hub

JUNE = [dt.date(2026, 6, d) for d in range(1, 4)]


def client() -> PoliteClient:
    return PoliteClient(min_interval=0, retries=1, sleep=lambda s: None)


def feed(sessions):  # noqa: ANN001, ANN201
    with sessions() as session:
        rows = session.execute(
            select(FeedEntry.feed_date, Paper.arxiv_id, Paper.title, Paper.upvotes)
            .join(Paper, Paper.id == FeedEntry.paper_id)
            .order_by(FeedEntry.feed_date, Paper.arxiv_id)
        )
        return [tuple(r) for r in rows]


def test_days_to_follow():
    today = dt.date(2026, 6, 10)
    assert days_to_follow(None, today, None, 3)[0] == dt.date(2026, 6, 4)  # the last 7 days
    assert days_to_follow(dt.date(2026, 6, 9), today, None, 3) == [
        dt.date(2026, 6, 7), dt.date(2026, 6, 8), dt.date(2026, 6, 9), today,
    ]  # fmt: skip
    assert days_to_follow(today, today, None, 0) == [today]  # today is always read again
    assert days_to_follow(today, today, dt.date(2026, 6, 9), 3) == [dt.date(2026, 6, 9), today]


def test_follow_reads_every_day_pages_through_long_days_and_reruns_change_nothing(
    sessions, monkeypatch
):
    monkeypatch.setattr(follow_module, "PAGE_SIZE", 10)  # the fixture days have 30-50 papers
    with fake_hub() as (server, _hub):
        first = follow(sessions, client(), server.url, JUNE[-1], since=dt.date(2026, 5, 31))
        assert first.error is None and first.days == [dt.date(2026, 5, 31), *JUNE]
        pages = [q for _, path, q in server.log if q.get("date") == "2026-06-01"]
        assert len(pages) >= 4 and [int(q["p"]) for q in pages] == list(range(len(pages)))
        landed = feed(sessions)
        assert {day for day, *_ in landed} >= set(JUNE) and first.new == len(
            {arxiv_id for _, arxiv_id, *_ in landed}
        )
        again = follow(sessions, client(), server.url, JUNE[-1], refresh_days=3)
    assert again.new == 0 and again.days == [dt.date(2026, 5, 31), *JUNE]  # 3 days + today
    assert feed(sessions) == landed


def test_an_outage_stops_at_the_failed_day_and_the_next_run_catches_up(sessions, tmp_path):
    with fake_hub() as (server, hub):
        hub.down.add("2026-06-02")
        broken = follow(sessions, client(), server.url, JUNE[-1], since=JUNE[0])
        assert broken.days == [JUNE[0]] and "HTTP 503" in (broken.error or "")
        hub.down.clear()
        resumed = follow(sessions, client(), server.url, JUNE[-1], refresh_days=0)
    assert resumed.error is None and resumed.days == JUNE[1:]
    assert {day for day, *_ in feed(sessions)} == set(JUNE)


def test_a_day_that_is_not_json_is_reported_and_the_others_land(sessions):
    with fake_hub() as (server, hub):
        hub.broken.add("2026-06-02")
        report = follow(sessions, client(), server.url, JUNE[-1], since=JUNE[0])
    assert report.error is None and report.days == JUNE
    assert len(report.ingest.issues) == 1 and "not JSON" in report.ingest.issues[0].message
    assert {day for day, *_ in feed(sessions)} == {JUNE[0], JUNE[2]}


def test_python_repr_days_from_the_dirty_archive_land(sessions):
    day = dt.date(2024, 12, 11)  # served as a list of Python-repr strings
    with fake_hub() as (server, _hub):
        report = follow(sessions, client(), server.url, day, since=day)
    assert report.ingest.issues == [] and report.new > 10


def test_two_weeks_with_an_outage_equal_one_uninterrupted_run(sessions, settings, tmp_path):
    from dailypapers.db import migrate
    from dailypapers.db.engine import make_engine, make_sessionmaker

    days = [dt.date(2026, 5, 25) + dt.timedelta(days=n) for n in range(14)]
    with fake_hub() as (server, hub):
        for today in days:  # one run a day, the way the scheduler does it
            hub.down = {"2026-06-01", "2026-06-02"} if today in days[7:10] else set()
            follow(sessions, client(), server.url, today, since=days[0] if today == days[0]
                   else None)  # fmt: skip
        other = make_sessionmaker(
            make_engine(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/u.db"}))
        )
        migrate.upgrade(other.kw["bind"])
        follow(other, client(), server.url, days[-1], since=days[0])
    assert feed(sessions) == feed(other)
    with sessions() as session:
        assert session.scalar(select(func.count(FeedEntry.id))) > 50


def test_a_server_that_ignores_paging_does_not_loop(sessions, monkeypatch):
    monkeypatch.setattr(follow_module, "PAGE_SIZE", 10)
    with fake_hub() as (server, hub):
        hub.ignores_paging = True
        report = follow(sessions, client(), server.url, JUNE[0], since=JUNE[0])
        asked = [q for _, _, q in server.log if q.get("date") == "2026-06-01"]
    assert report.error is None and report.new == 10 and len(asked) == 2
