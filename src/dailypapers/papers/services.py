"""Feed services: what a page or API call about papers needs, computed from the store."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from dailypapers.db.models import Paper
from dailypapers.papers import authors
from dailypapers.papers.periods import Period, day_period, period_containing
from dailypapers.papers.store import FeedItem, PaperStore
from dailypapers.ranking.trending import sort_trending

SORTS = ("upvotes", "date")
_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z\-]*(\.[A-Za-z][A-Za-z\-]*)?$")


class CategoryError(ValueError):
    """Not an arXiv category name; the message is safe to show."""


def parse_category(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not _CATEGORY.match(value):
        raise CategoryError(f"not an arXiv category: {value[:40]!r} (e.g. cs.CL)")
    return value


def categories_note(store: PaperStore, categories: Sequence[str]) -> str | None:
    """Why a category filter or interest will match nothing here, or None when it can match:
    no paper has categories yet (they come from arXiv metadata), or none lists these."""
    if not categories:
        return None
    if not store.has_category():
        return (
            "No paper here has arXiv categories yet: they come from arXiv's metadata, fetched by "
            "the enrich job (`dailypapers sync --only enrich`), so a category matches nothing "
            "until then; words and authors work now."
        )
    missing = [c for c in categories if not store.has_category(c)]
    if missing:
        return f"No paper here is in {', '.join(missing)} yet."
    return None


@dataclass(frozen=True)
class FeedPage:
    period: Period
    items: list[FeedItem]
    total: int
    offset: int
    previous: Period | None
    next: Period | None
    per_day: dict[dt.date, int]
    category: str | None = None


def resolve_period(
    store: PaperStore, period: Period | None, category: str | None = None
) -> Period | None:
    """The requested period, or the latest day that has papers; None when there are none."""
    if period is not None:
        return period
    latest = store.latest_feed_date(category)
    return day_period(latest) if latest else None


def feed_page(
    store: PaperStore,
    period: Period,
    *,
    sort: str = "upvotes",
    limit: int = 50,
    offset: int = 0,
    category: str | None = None,
) -> FeedPage:
    """One period of the feed, optionally one arXiv category, with neighbours that have papers."""
    before = store.feed_date_before(period.start, category)
    after = store.feed_date_after(period.end, category)
    per_day = {}
    if period.kind != "date":
        per_day = store.papers_per_day(period.start, period.end, category)
    return FeedPage(
        period=period,
        items=period_items(store, period, sort=sort, limit=limit, offset=offset, category=category),
        total=store.count_feed(period.start, period.end, category),
        offset=offset,
        previous=period_containing(period.kind, before) if before else None,
        next=period_containing(period.kind, after) if after else None,
        per_day=per_day,
        category=category,
    )


TRENDING_DAYS = 7
RANKED_AT_MOST = 5000  # papers a period offers to the trending sort (a month has ~1,000)


def period_items(
    store: PaperStore,
    period: Period,
    *,
    sort: str = "upvotes",
    limit: int = 50,
    offset: int = 0,
    category: str | None = None,
    submitter: str | None = None,
) -> list[FeedItem]:
    """Just the papers of a period in `sort` order ("upvotes", "date" or "trending"), without
    what a page adds around them (neighbours, counts); `submitter`: only that handle's."""
    if sort != "trending":
        return store.feed(
            period.start, period.end, sort=sort, limit=limit, offset=offset, category=category,
            submitter=submitter,
        )  # fmt: skip
    every = store.feed(
        period.start, period.end, limit=RANKED_AT_MOST, category=category, submitter=submitter
    )
    return sort_trending(every, period.end)[offset : offset + limit]


def trending(store: PaperStore, limit: int = 50, category: str | None = None) -> FeedPage | None:
    """The last TRENDING_DAYS days that have papers, ranked by the trending score."""
    latest = store.latest_feed_date(category)
    if latest is None:
        return None
    period = Period("date", latest - dt.timedelta(days=TRENDING_DAYS - 1), latest)
    ranked = period_items(store, period, sort="trending", limit=limit, category=category)
    total = store.count_feed(period.start, period.end, category)
    return FeedPage(period, ranked, total, 0, None, None, {}, category)


@dataclass(frozen=True)
class PaperDetail:
    paper: Paper
    feed_dates: list[dt.date]
    submitted_by: str | None
    day_upvotes: list[tuple[str, int]]
    submitter_name: str | None = None


def paper_detail(store: PaperStore, paper: Paper) -> PaperDetail:
    """What a paper's page shows besides the paper: its feed days, submitter, the day's votes."""
    entries = paper.feed_entries
    first_day = entries[0].feed_date if entries else None
    return PaperDetail(
        paper=paper,
        feed_dates=[e.feed_date for e in entries],
        submitted_by=next((e.submitted_by for e in entries if e.submitted_by), None),
        day_upvotes=store.upvotes_on_day(first_day) if first_day else [],
        submitter_name=next((e.submitter_name for e in entries if e.submitter_name), None),
    )


@dataclass(frozen=True)
class Listing:
    """One day of arXiv's own listing (every paper ingested from arXiv, curated or not)."""

    day: dt.date | None
    category: str | None
    papers: list[Paper]
    total: int
    previous: dt.date | None
    next: dt.date | None
    on_feed: set[int]


def arxiv_listing(
    store: PaperStore,
    day: dt.date | None,
    category: str | None,
    *,
    limit: int = 50,
    offset: int = 0,
) -> Listing:
    """The papers arXiv published on `day` (default: the latest day there are any)."""
    day = day or store.listed_day(category)
    if day is None:
        return Listing(None, category, [], 0, None, None, set())
    papers = store.listed(day, category, limit, offset)
    return Listing(
        day=day,
        category=category,
        papers=papers,
        total=store.count_listed(day, category),
        previous=store.listed_day(category, before=day),
        next=store.listed_day(category, after=day),
        on_feed=store.on_feed([p.id for p in papers]),
    )


@dataclass(frozen=True)
class AuthorGroup:
    papers: list[Paper]
    coauthors: tuple[str, ...]  # names of their most frequent co-authors


@dataclass(frozen=True)
class AuthorPage:
    name: str  # as asked
    key: str
    spellings: list[str]  # every spelling on the papers shown, most used first
    groups: list[AuthorGroup]  # one, or several when the co-authors say "different people"

    @property
    def total(self) -> int:
        return sum(len(g.papers) for g in self.groups)


def author_page(store: PaperStore, name: str, limit: int = 2000) -> AuthorPage:
    """An author's papers: every spelling of the name that could be them (papers/authors.py),
    split into groups when the co-authors strongly suggest homonyms."""
    key = authors.name_key(name)
    papers = store.papers_by_author_keys([key], limit) if key else []
    found: list[authors.Authored] = []
    spellings: dict[str, int] = {}
    names_of: dict[str, str] = {}
    for paper in papers:
        spelling = next((n for n in paper.author_names if authors.compatible(n, name)), None)
        if spelling is None:  # the same key, another person ("Kai He" for "Kaiming He")
            continue
        spellings[spelling] = spellings.get(spelling, 0) + 1
        others = {authors.name_key(n): n for n in paper.author_names if n != spelling}
        names_of.update(others)
        found.append(authors.Authored(paper.id, spelling, frozenset(k for k in others if k)))
    by_id = {p.id: p for p in papers}
    groups = [
        AuthorGroup([by_id[i] for i in g.paper_ids], tuple(names_of[k] for k in g.coauthors))
        for g in authors.split_homonyms(found)
    ]
    ordered = sorted(spellings, key=lambda s: (-spellings[s], s))
    return AuthorPage(name, key, ordered, groups)
