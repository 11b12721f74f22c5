"""Feed periods (a day, an ISO week, a month) parsed from query parameters. Pure."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["date", "week", "month"]
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Days a reader can ask for: wide enough for any paper, narrow enough that a week or the day after
# never leaves the calendar (9999-W52 used to overflow into a 500).
FIRST_YEAR, LAST_YEAR = 1800, 2999


class PeriodError(ValueError):
    """A period parameter that cannot be understood; the message is safe to show to users."""


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        """The query-parameter value naming this period (2026-11-27, 2026-W48, 2026-11)."""
        if self.kind == "date":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "date":
            return self.start.strftime("%A, %d %B %Y")
        if self.kind == "week":
            return f"Week {self.key[-2:]} · {self.start:%d %b} – {self.end:%d %b %Y}"
        return self.start.strftime("%B %Y")

    def days(self) -> list[dt.date]:
        count = (self.end - self.start).days + 1
        return [self.start + dt.timedelta(days=i) for i in range(count)]


def day_period(day: dt.date) -> Period:
    return Period("date", day, day)


def week_period(day: dt.date) -> Period:
    start = day - dt.timedelta(days=day.weekday())
    return Period("week", start, start + dt.timedelta(days=6))


def month_period(day: dt.date) -> Period:
    last = calendar.monthrange(day.year, day.month)[1]
    return Period("month", day.replace(day=1), day.replace(day=last))


def period_containing(kind: Kind, day: dt.date) -> Period:
    return {"date": day_period, "week": week_period, "month": month_period}[kind](day)


def all_time() -> Period:
    """Every supported day: for lists not bound to a period (a submitter's, an organization's)."""
    return Period("date", dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31))


def parse_period(
    date: str | None = None, week: str | None = None, month: str | None = None
) -> Period | None:
    """Parse at most one of date/week/month; None when none is given."""
    given = [(k, v) for k, v in (("date", date), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise PeriodError("give only one of date, week or month")
    if not given:
        return None
    kind, value = given[0]
    value = value.strip()
    if kind == "date":
        return day_period(parse_day(value))
    if kind == "week":
        return _parse_week(value)
    return _parse_month(value)


def _in_range(year: int, value: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise PeriodError(f"{value}: years from {FIRST_YEAR} to {LAST_YEAR} only")


def parse_day(value: str, name: str = "date") -> dt.date:
    """A YYYY-MM-DD day in the supported years, or PeriodError naming `name` (a 400)."""
    value = value.strip()
    if not _DAY.match(value):
        raise PeriodError(f"{name} must look like YYYY-MM-DD, got {value[:40]!r}")
    _in_range(int(value[:4]), value)
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise PeriodError(f"no such date: {value}") from exc


def _parse_week(value: str) -> Period:
    match = _WEEK.match(value)
    if not match:
        raise PeriodError(f"week must look like YYYY-Www (e.g. 2026-W05), got {value[:40]!r}")
    _in_range(int(match.group(1)), value)
    try:
        monday = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise PeriodError(f"no such week: {value}") from exc
    return week_period(monday)


def _parse_month(value: str) -> Period:
    match = _MONTH.match(value)
    if not match:
        raise PeriodError(f"month must look like YYYY-MM, got {value[:40]!r}")
    year, month = int(match.group(1)), int(match.group(2))
    _in_range(year, value)
    if not 1 <= month <= 12:
        raise PeriodError(f"no such month: {value}")
    return month_period(dt.date(year, month, 1))
