"""Trending: a gravity score, pure and reproducible (docs/ranking.md explains the choice).

    score = upvotes / (age_hours + 2) ** GRAVITY

`age_hours` is measured from the paper's feed entry (its submission, else the start of its feed day)
to the reference time: the end of the period being ranked, so an old period ranks as it did then.
This module imports nothing from the rest of the project: anything with the three properties of
`Rankable` can be ranked (the papers domain's `FeedItem` is one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, TypeVar

GRAVITY = 1.5


class Rankable(Protocol):
    @property
    def entered_at(self) -> dt.datetime: ...

    @property
    def votes(self) -> int: ...

    @property
    def tie_key(self) -> str: ...


R = TypeVar("R", bound=Rankable)


def trending_score(upvotes: int, age_hours: float, gravity: float = GRAVITY) -> float:
    return float(max(upvotes, 0) / (max(age_hours, 0.0) + 2.0) ** gravity)


def sort_trending(items: Sequence[R], reference_day: dt.date) -> list[R]:
    """Highest score first; equal scores in `tie_key` order, so the order is reproducible."""
    reference = dt.datetime.combine(reference_day, dt.time.max)

    def score(item: R) -> float:
        return trending_score(item.votes, (reference - item.entered_at).total_seconds() / 3600)

    return sorted(items, key=lambda item: (-score(item), item.tie_key))
