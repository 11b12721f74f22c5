"""Following a Hugging Face-compatible curated list: `GET {base}/api/daily_papers?date=D`, day by
day, from the last day followed to today, re-reading the last few days for fresh upvotes.

Any server with that API works: huggingface.co, or another Daily Papers instance. The days to read
are a pure function (`days_to_follow`); fetching pages a day with `p`/`limit`; a day is marked
followed only after its papers are committed, so a crash or an outage resumes at the first day
that did not land, and no day is ever skipped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.db.models import utcnow
from dailypapers.ingest.hf_daily import Issue, Parsed, parse_response
from dailypapers.ingest.http import FetchError, PoliteClient
from dailypapers.ingest.pipeline import IngestReport, ingest
from dailypapers.ingest.store import IngestStore
from dailypapers.papers.records import PaperRecord

FIRST_DAYS = 7  # a first run without --since reads this many days, today included
PAGE_SIZE = 50  # Hugging Face's page (its archive never shows more than 50 papers a day)


@dataclass
class FollowReport:
    days: list[dt.date] = field(default_factory=list)  # days read completely
    ingest: IngestReport = field(default_factory=IngestReport)
    error: str | None = None  # why the run stopped before today

    @property
    def new(self) -> int:
        return self.ingest.new


def days_to_follow(
    last: dt.date | None, today: dt.date, since: dt.date | None, refresh_days: int
) -> list[dt.date]:
    """Every day from the first one to read to `today`, oldest first. `since` wins; else the day
    after the last one followed, moved back `refresh_days` to refresh counts; else the last
    FIRST_DAYS days."""
    if since is not None:
        first = since
    elif last is not None:
        first = min(last + dt.timedelta(days=1), today) - dt.timedelta(days=refresh_days)
    else:
        first = today - dt.timedelta(days=FIRST_DAYS - 1)
    return [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]


def checkpoint_key(base_url: str) -> str:
    return f"follow:{base_url}"


def fetch_day(client: PoliteClient, base_url: str, day: dt.date) -> list[Parsed]:
    """Every item of one day's list, page by page; unreadable items come back as Issues."""
    items: list[Parsed] = []
    seen: set[str] = set()
    url = f"{base_url}/api/daily_papers"
    for page in range(100):
        params = {"date": day.isoformat(), "p": str(page), "limit": str(PAGE_SIZE)}
        response = client.get(url, params=params)
        where = f"{url}?date={day}&p={page}"
        if response.status_code != 200:
            raise FetchError(f"{where}: HTTP {response.status_code}")
        try:
            data = response.json()
        except json.JSONDecodeError as exc:
            return [*items, Issue(where, f"not JSON: {exc.msg}")]
        parsed = list(parse_response(data, where, day, observed_at=utcnow()))
        ids = {p.arxiv_id for p in parsed if isinstance(p, PaperRecord)}
        if ids and ids <= seen:
            return items  # a server that ignores `p` answers the first page again
        seen |= ids
        items += parsed
        if not isinstance(data, list) or len(data) < PAGE_SIZE:
            return items
    return items


def follow(
    sessions: sessionmaker[Session],
    client: PoliteClient,
    base_url: str,
    today: dt.date,
    *,
    since: dt.date | None = None,
    refresh_days: int = 3,
    on_day: Callable[[dt.date, FollowReport], None] | None = None,
) -> FollowReport:
    """Read every day due, oldest first; stop at the first day that cannot be fetched."""
    base_url = base_url.rstrip("/")
    key = checkpoint_key(base_url)
    with sessions() as session:
        last_text = IngestStore(session).get_meta(key)
    last = dt.date.fromisoformat(last_text) if last_text else None
    report = FollowReport()
    for day in days_to_follow(last, today, since, refresh_days):
        try:
            items = fetch_day(client, base_url, day)
        except FetchError as exc:
            report.error = str(exc)
            return report
        report.ingest.add(ingest(sessions, items))
        if last is None or day > last:
            last = day
            with sessions() as session:
                IngestStore(session).set_meta(key, day.isoformat())
                session.commit()
        report.days.append(day)
        if on_day:
            on_day(day, report)
    return report
