"""Feed services: what a page or API call about papers needs, computed from the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dailypapers.db.models import Paper
from dailypapers.papers.periods import Period, day_period, period_containing
from dailypapers.papers.store import FeedItem, PaperStore

SORTS = ("upvotes", "date")


@dataclass(frozen=True)
class FeedPage:
    period: Period
    items: list[FeedItem]
    total: int
    offset: int
    previous: Period | None
    next: Period | None
    per_day: dict[dt.date, int]


def resolve_period(store: PaperStore, period: Period | None) -> Period | None:
    """The requested period, or the latest day that has papers; None when the store is empty."""
    if period is not None:
        return period
    latest = store.latest_feed_date()
    return day_period(latest) if latest else None


def feed_page(
    store: PaperStore, period: Period, *, sort: str = "upvotes", limit: int = 50, offset: int = 0
) -> FeedPage:
    before = store.feed_date_before(period.start)
    after = store.feed_date_after(period.end)
    return FeedPage(
        period=period,
        items=store.feed(period.start, period.end, sort=sort, limit=limit, offset=offset),
        total=store.count_feed(period.start, period.end),
        offset=offset,
        previous=period_containing(period.kind, before) if before else None,
        next=period_containing(period.kind, after) if after else None,
        per_day=store.papers_per_day(period.start, period.end) if period.kind != "date" else {},
    )


@dataclass(frozen=True)
class PaperDetail:
    paper: Paper
    feed_dates: list[dt.date]
    submitted_by: str | None
    day_upvotes: list[tuple[str, int]]


def paper_detail(store: PaperStore, arxiv_id: str) -> PaperDetail | None:
    paper = store.get(arxiv_id)
    if paper is None:
        return None
    entries = paper.feed_entries
    first_day = entries[0].feed_date if entries else None
    return PaperDetail(
        paper=paper,
        feed_dates=[e.feed_date for e in entries],
        submitted_by=next((e.submitted_by for e in entries if e.submitted_by), None),
        day_upvotes=store.upvotes_on_day(first_day) if first_day else [],
    )
