"""The arXiv API (Atom over HTTP): parse with feedparser (pure), fetch politely (I/O).

arXiv asks for at most one request every 3 seconds; the client waits that long between requests,
retries 5xx answers and timeouts with exponential backoff, and honours Retry-After.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import feedparser

from dailypapers.ingest.hf_daily import Issue, Parsed
from dailypapers.ingest.http import PoliteClient
from dailypapers.papers.records import (
    PaperRecord,
    RecordError,
    normalize_space,
    optional_text,
    split_arxiv_id,
)

PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    items: list[Parsed]
    total: int
    start: int
    error: str | None = None


def parse_feed(body: bytes | str, source: str) -> Page:
    """Parse one API answer (new or legacy format, or the error feed) into records and issues."""
    feed = feedparser.parse(body)
    meta = feed.get("feed", {})
    total = _int(meta.get("opensearch_totalresults"), len(feed.entries))
    start = _int(meta.get("opensearch_startindex"), 0)
    items: list[Parsed] = []
    for position, entry in enumerate(feed.entries):
        where = f"{source}[{start + position}]"
        if "/api/errors" in entry.get("id", ""):
            return Page([], 0, start, error=normalize_space(entry.get("summary")) or "API error")
        try:
            items.append(record_from_entry(entry))
        except RecordError as exc:
            items.append(Issue(where, str(exc)))
    if feed.bozo and not feed.entries and not meta.get("opensearch_totalresults"):
        return Page([], 0, start, error=f"unreadable answer: {feed.get('bozo_exception')}")
    return Page(items, total, start)


def record_from_entry(entry: Any) -> PaperRecord:
    arxiv_id, version = split_arxiv_id(entry.get("id", ""))
    title = normalize_space(entry.get("title"))
    if not title:
        raise RecordError(f"{arxiv_id}: missing title")
    terms = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
    primary = (entry.get("arxiv_primary_category") or {}).get("term") or (
        terms[0] if terms else None
    )
    categories = [primary] + [t for t in terms if t != primary] if primary else terms
    published = _time(entry.get("published_parsed"))
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=normalize_space(entry.get("summary")),
        authors=tuple(
            normalize_space(a.get("name")) for a in entry.get("authors", []) if a.get("name")
        ),
        published_at=published,
        arxiv_updated_at=_time(entry.get("updated_parsed")),
        primary_category=primary,
        categories=" ".join(dict.fromkeys(categories)) or None,
        comments=optional_text(normalize_space(entry.get("arxiv_comment")), 5000),
        journal_ref=optional_text(normalize_space(entry.get("arxiv_journal_ref"))),
        doi=optional_text(entry.get("arxiv_doi"), 200),
        feed_date=None,  # arXiv lists papers; only the curated feed puts them on a day
        source="arxiv",
    )


def _time(parsed: Any) -> dt.datetime | None:
    return dt.datetime(*parsed[:6]) if parsed else None


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ArxivApi:
    """Paged queries against the API at `base_url` (a setting, so tests replay on loopback)."""

    def __init__(self, client: PoliteClient, base_url: str, page_size: int = PAGE_SIZE) -> None:
        self.client = client
        self.base_url = base_url
        self.page_size = page_size

    def by_ids(self, ids: list[str]) -> Iterator[Parsed]:
        for start in range(0, len(ids), self.page_size):
            chunk = ids[start : start + self.page_size]
            yield from self._pages({"id_list": ",".join(chunk)}, limit=None)

    def search(
        self, query: str, since: dt.date | None = None, limit: int | None = None
    ) -> Iterator[Parsed]:
        """Newest submissions first; stops at the first paper published before `since`."""
        params = {"search_query": query, "sortBy": "submittedDate", "sortOrder": "descending"}
        for item in self._pages(params, limit=limit):
            if (
                since
                and isinstance(item, PaperRecord)
                and item.published_at
                and item.published_at.date() < since
            ):
                return
            yield item

    def _pages(self, params: dict[str, str], limit: int | None) -> Iterator[Parsed]:
        start, seen = 0, 0
        while True:
            size = self.page_size if limit is None else min(self.page_size, limit - seen)
            response = self.client.get(
                self.base_url, params={**params, "start": str(start), "max_results": str(size)}
            )
            page = parse_feed(response.content, f"arXiv API start={start}")
            if page.error:
                yield Issue(f"arXiv API ({response.status_code})", page.error)
                return
            yield from page.items
            seen += len(page.items)
            start += len(page.items)
            if not page.items or start >= page.total or (limit is not None and seen >= limit):
                return
