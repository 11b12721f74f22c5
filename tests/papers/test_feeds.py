"""Feed queries on a real SQLite store: ordering, neighbours that skip empty days, counts."""

import datetime as dt

from dailypapers.papers.periods import day_period, parse_period
from dailypapers.papers.services import feed_page, resolve_period
from dailypapers.papers.store import PaperStore
from tests.factories import record, store_records

MON, TUE, FRI = dt.date(2026, 6, 8), dt.date(2026, 6, 9), dt.date(2026, 6, 12)


def test_feed_orders_by_upvotes_then_earlier_submission(sessions):
    late = record(title="late", upvotes=10, feed_date=MON, submitted_at=dt.datetime(2026, 6, 8, 11))
    early = record(
        title="early", upvotes=10, feed_date=MON, submitted_at=dt.datetime(2026, 6, 8, 7)
    )
    top = record(title="top", upvotes=50, feed_date=MON)
    store_records(sessions, late, early, top)
    with sessions() as session:
        titles = [i.paper.title for i in PaperStore(session).feed(MON, MON)]
    assert titles == ["top", "early", "late"]


def test_neighbours_skip_empty_days(sessions):
    store_records(sessions, record(feed_date=MON), record(feed_date=FRI), record(feed_date=FRI))
    with sessions() as session:
        store = PaperStore(session)
        page = feed_page(store, day_period(FRI))
        assert page.total == 2
        assert page.previous.key == MON.isoformat()
        assert page.next is None
        empty_tuesday = feed_page(store, day_period(TUE))
        assert empty_tuesday.items == []
        assert (empty_tuesday.previous.key, empty_tuesday.next.key) == ("2026-06-08", "2026-06-12")


def test_week_and_month_neighbours_are_whole_periods(sessions):
    store_records(
        sessions,
        record(feed_date=dt.date(2026, 5, 4)),
        record(feed_date=MON),
        record(feed_date=dt.date(2026, 8, 21)),
    )
    with sessions() as session:
        store = PaperStore(session)
        week = feed_page(store, parse_period(week="2026-W24"))
        assert (week.previous.key, week.next.key) == ("2026-W19", "2026-W34")
        month = feed_page(store, parse_period(month="2026-06"))
        assert (month.previous.key, month.next.key) == ("2026-05", "2026-08")
        assert month.per_day == {MON: 1}


def test_default_period_is_latest_day_with_papers(sessions):
    with sessions() as session:
        assert resolve_period(PaperStore(session), None) is None
    store_records(sessions, record(feed_date=MON), record(feed_date=FRI))
    with sessions() as session:
        assert resolve_period(PaperStore(session), None) == day_period(FRI)
