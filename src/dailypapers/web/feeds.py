"""Atom and RSS 2.0 feeds of the daily feed, generated with feedgen."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

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
from dailypapers.papers.store import FeedItem, PaperStore
from dailypapers.web.deps import Papers

router = APIRouter(prefix="/feeds", tags=["feeds"])
ATOM = "http://www.w3.org/2005/Atom"
ARXIV_ABS = "https://arxiv.org/abs/"
ET.register_namespace("", ATOM)
DateParam = Annotated[str | None, Query(description="A feed day, YYYY-MM-DD (default: latest)")]
CategoryParam = Annotated[
    str | None, Query(max_length=40, description="Only this arXiv category, e.g. cs.CL")
]


@router.get("/daily.atom", response_class=Response)
def daily_atom(
    request: Request, store: Papers, date: DateParam = None, category: CategoryParam = None
) -> Response:
    feed = _daily_feed(request, store, date, category)
    return Response(atom_bytes(feed), media_type="application/atom+xml")


@router.get("/daily.rss", response_class=Response)
def daily_rss(
    request: Request, store: Papers, date: DateParam = None, category: CategoryParam = None
) -> Response:
    feed = _daily_feed(request, store, date, category)
    return Response(feed.rss_str(pretty=True), media_type="application/rss+xml")


@router.get("/trending.atom", response_class=Response)
def trending_atom(request: Request, store: Papers) -> Response:
    base = request.app.state.settings.base_url
    return atom_response(
        request, trending(store), "trending", f"{base}/papers/trending",
        f"{base}/feeds/trending.atom", feed_id=f"{base}/feeds/trending",
    )  # fmt: skip


def atom_response(
    request: Request,
    items: FeedPage | list[FeedItem] | None,
    title: str,
    page_url: str,
    self_url: str,
    feed_id: str | None = None,
) -> Response:
    """The Atom feed of a page's papers: "SITE — title", its id the page's URL unless given."""
    settings = request.app.state.settings
    names = FeedNames(
        feed_id=feed_id or page_url,
        title=f"{settings.site_name} — {title}",
        page_url=page_url,
        self_url=self_url,
    )
    feed = atom_bytes(build_feed(settings, items, names))
    return Response(feed, media_type="application/atom+xml")


def atom_bytes(feed: FeedGenerator) -> bytes:
    """feedgen's Atom, with the `rel` it drops from entry links put back (feedgen 1.0 writes
    every entry link without one, so readers took the arXiv link for the entry's own)."""
    root = ET.fromstring(feed.atom_str())
    for link in root.iter(f"{{{ATOM}}}link"):
        if link.get("rel") is None and link.get("href", "").startswith(ARXIV_ABS):
            link.set("rel", "related")
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


@dataclass(frozen=True)
class FeedNames:
    feed_id: str  # stable: the same feed keeps its id from day to day
    title: str
    page_url: str  # the page it mirrors (rel=alternate; RSS's <link>)
    self_url: str  # this very feed's URL, as asked (rel=self)


def _daily_feed(
    request: Request, store: PaperStore, date: str | None, category: str | None
) -> FeedGenerator:
    settings: Settings = request.app.state.settings
    category = parse_category(category)
    period = resolve_period(store, parse_period(date=date), category)
    page = feed_page(store, period, limit=200, category=category) if period else None
    base = settings.base_url
    day = page.period.start if page else None
    query = "?" + urlencode(request.query_params) if request.query_params else ""
    names = FeedNames(
        feed_id=f"{base}/feeds/daily" + (f"?category={category}" if category else ""),
        title=f"{settings.site_name} — " + (day_period(day).label if day else "daily papers"),
        page_url=f"{base}/papers" + (f"?date={day.isoformat()}" if date and day else ""),
        self_url=f"{base}{request.url.path}{query}",
    )
    return build_feed(settings, page, names)


def build_feed(
    settings: Settings, page: FeedPage | list[FeedItem] | None, names: FeedNames
) -> FeedGenerator:
    feed = FeedGenerator()
    base = settings.base_url
    feed.id(names.feed_id)
    feed.title(names.title)
    feed.subtitle("Research papers on the daily feed, most upvoted first.")
    # self first: RSS's channel <link> is the last link given, and must be the page
    feed.link(href=names.self_url, rel="self")
    feed.link(href=names.page_url, rel="alternate")
    feed.language("en")
    items = page if isinstance(page, list) else page.items if page else []
    newest = max(
        (i.submitted_at or dt.datetime.combine(i.feed_date, dt.time()) for i in items), default=None
    )
    feed.updated(_utc(newest or dt.datetime(1970, 1, 1)))  # stable, so its ETag is too
    # feedgen adds entries at the top, so add in reverse to keep the most upvoted first.
    for item in reversed(items):
        paper = item.paper
        url = f"{base}/papers/{paper.arxiv_id}"
        entry = feed.add_entry()
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(xml_safe(paper.title))
        # the local page everywhere (Atom's alternate, RSS's <link>); arXiv as related
        entry.link(href=f"{ARXIV_ABS}{paper.arxiv_id}", rel="related")
        entry.link(href=url, rel="alternate")
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
