"""Atom and RSS 2.0 feeds of the daily feed, generated with feedgen."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator

from dailypapers.config import Settings
from dailypapers.papers.periods import day_period, parse_period
from dailypapers.papers.services import (
    FeedPage,
    feed_page,
    parse_category,
    resolve_period,
    trending,
)
from dailypapers.papers.store import PaperStore
from dailypapers.web.deps import Papers

router = APIRouter(prefix="/feeds", tags=["feeds"])
DateParam = Annotated[str | None, Query(description="A feed day, YYYY-MM-DD (default: latest)")]
CategoryParam = Annotated[
    str | None, Query(max_length=40, description="Only this arXiv category, e.g. cs.CL")
]


@router.get("/daily.atom", response_class=Response)
def daily_atom(
    request: Request, store: Papers, date: DateParam = None, category: CategoryParam = None
) -> Response:
    feed = _daily_feed(request.app.state.settings, store, date, category)
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml")


@router.get("/daily.rss", response_class=Response)
def daily_rss(
    request: Request, store: Papers, date: DateParam = None, category: CategoryParam = None
) -> Response:
    feed = _daily_feed(request.app.state.settings, store, date, category)
    return Response(feed.rss_str(pretty=True), media_type="application/rss+xml")


@router.get("/trending.atom", response_class=Response)
def trending_atom(request: Request, store: Papers) -> Response:
    settings = request.app.state.settings
    page = trending(store)
    feed = build_feed(settings, page, f"{settings.base_url}/feeds/trending.atom")
    feed.title(f"{settings.site_name} — trending")
    feed.link(href=f"{settings.base_url}/papers/trending", rel="alternate")
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml")


def _daily_feed(
    settings: Settings, store: PaperStore, date: str | None, category: str | None
) -> FeedGenerator:
    category = parse_category(category)
    period = resolve_period(store, parse_period(date=date), category)
    page = feed_page(store, period, limit=200, category=category) if period else None
    return build_feed(settings, page, f"{settings.base_url}/feeds/daily.atom")


def build_feed(settings: Settings, page: FeedPage | None, self_url: str) -> FeedGenerator:
    feed = FeedGenerator()
    base = settings.base_url
    day = page.period.start if page else dt.date.today()
    feed.id(f"{base}/papers?date={day.isoformat()}")
    feed.title(f"{settings.site_name} — {day_period(day).label}")
    feed.subtitle("Research papers on the daily feed, most upvoted first.")
    feed.link(href=f"{base}/papers?date={day.isoformat()}", rel="alternate")
    feed.link(href=self_url, rel="self")
    feed.language("en")
    feed.updated(_utc(dt.datetime.combine(day, dt.time())))
    # feedgen adds entries at the top, so add in reverse to keep the most upvoted first.
    for item in reversed(page.items if page else []):
        paper = item.paper
        url = f"{base}/papers/{paper.arxiv_id}"
        entry = feed.add_entry()
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(xml_safe(paper.title))
        entry.link(href=url, rel="alternate")
        entry.link(href=f"https://arxiv.org/abs/{paper.arxiv_id}", rel="related")
        entry.summary(xml_safe(paper.abstract or paper.title))
        for name in paper.author_names or ["Unknown"]:
            entry.author(name=xml_safe(name))
        when = _utc(item.submitted_at or dt.datetime.combine(item.feed_date, dt.time()))
        entry.published(when)
        entry.updated(when)
    return feed


_NOT_XML = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Drop characters XML cannot carry (NUL, control characters, lone surrogates)."""
    return _NOT_XML.sub("", text)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC)
