import datetime as dt

import pytest

from dailypapers.papers.periods import PeriodError, parse_period, period_containing


def test_parse_each_kind():
    assert parse_period(date="2026-06-10").key == "2026-06-10"
    week = parse_period(week="2026-W24")
    assert (week.start, week.end) == (dt.date(2026, 6, 8), dt.date(2026, 6, 14))
    month = parse_period(month="2024-02")
    assert (month.start, month.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert parse_period() is None


def test_week_key_round_trips_across_year_boundary():
    period = period_containing("week", dt.date(2025, 12, 31))
    assert period.key == "2026-W01"
    assert parse_period(week=period.key) == period


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"date": "2026-02-30"}, "no such date"),
        ({"date": "yesterday"}, "YYYY-MM-DD"),
        ({"date": "2026-06-10'; DROP TABLE papers"}, "YYYY-MM-DD"),
        ({"week": "2026-W54"}, "no such week"),
        ({"week": "2026-24"}, "YYYY-Www"),
        ({"month": "2026-13"}, "no such month"),
        ({"month": "June"}, "YYYY-MM"),
        ({"date": "2026-06-10", "week": "2026-W24"}, "only one"),
    ],
)
def test_bad_periods_say_what_is_wrong(kwargs, message):
    with pytest.raises(PeriodError, match=message):
        parse_period(**kwargs)
