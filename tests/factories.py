"""Test data builders: records with sensible defaults, stored through the real pipeline."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.papers.records import PaperRecord
from dailypapers.papers.store import PaperStore

_ids = itertools.count(1)


def record(**overrides: Any) -> PaperRecord:
    n = next(_ids)
    feed_date = overrides.pop("feed_date", dt.date(2026, 6, 10))
    day = feed_date or dt.date(2026, 6, 10)  # None: a paper on no feed yet
    values: dict[str, Any] = {
        "arxiv_id": f"2606.{10000 + n:05d}",
        "title": f"Paper number {n}",
        "abstract": f"An abstract about topic {n}.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "published_at": dt.datetime.combine(day - dt.timedelta(days=2), dt.time(12)),
        "feed_date": feed_date,
        "submitted_at": dt.datetime.combine(day, dt.time(8, n % 60)),
        "upvotes": 5,
        "num_comments": 1,
        "observed_at": dt.datetime.combine(day, dt.time.max),
    }
    values.update(overrides)
    return PaperRecord(**values)


def store_records(sessions: sessionmaker[Session], *records: PaperRecord) -> None:
    with sessions() as session:
        PaperStore(session).upsert(list(records))
        session.commit()


def subscriber(sessions: sessionmaker[Session], email: str, **fields: Any) -> int:
    """A reader who already confirmed (the opt-in itself is tested in tests/digest)."""
    import secrets

    from dailypapers.db.models import Subscriber, utcnow

    values: dict[str, Any] = {
        "status": "active",
        "frequency": "daily",
        "categories": "",
        "keywords": "",
        "authors": "",
        "like_upvoted": False,
        "confirmed_at": utcnow(),
    }
    values.update(fields)
    with sessions() as session:
        row = Subscriber(email=email, token=secrets.token_urlsafe(16), **values)
        session.add(row)
        session.commit()
        return row.id
