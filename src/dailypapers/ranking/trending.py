"""Trending: a gravity score, pure and reproducible (docs/ranking.md explains the choice).

    score = upvotes / (age_hours + 2) ** GRAVITY

`age_hours` is measured from the paper's feed entry (its submission, else the start of its feed day)
to the reference time: the end of the period being ranked, so an old period ranks as it did then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dailypapers.papers.store import FeedItem

GRAVITY = 1.5


def trending_score(upvotes: int, age_hours: float, gravity: float = GRAVITY) -> float:
    return max(upvotes, 0) / (max(age_hours, 0.0) + 2.0) ** gravity


def sort_trending(items: Sequence[FeedItem], reference_day: dt.date) -> list[FeedItem]:
    reference = dt.datetime.combine(reference_day, dt.time.max)

    def score(item: FeedItem) -> float:
        entered = item.submitted_at or dt.datetime.combine(item.feed_date, dt.time())
        return trending_score(item.paper.votes, (reference - entered).total_seconds() / 3600)

    return sorted(items, key=lambda item: (-score(item), item.paper.arxiv_id))
