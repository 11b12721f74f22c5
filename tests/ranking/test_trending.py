import datetime as dt

import pytest

from dailypapers.db.models import Paper
from dailypapers.papers.store import FeedItem
from dailypapers.ranking.trending import sort_trending, trending_score


def test_score_by_hand():
    assert trending_score(10, 0) == pytest.approx(10 / 2**1.5)  # 3.5355
    assert trending_score(10, 14) == pytest.approx(10 / 64)  # (14 + 2) ** 1.5 = 64
    assert trending_score(-3, 5) == 0
    assert trending_score(5, -10) == trending_score(5, 0)  # clock skew is not a bonus


def item(arxiv_id, upvotes, submitted):
    paper = Paper(arxiv_id=arxiv_id, title=arxiv_id, abstract="", upvotes=upvotes)
    return FeedItem(paper, submitted.date(), submitted, None)


def test_fresh_votes_beat_old_votes():
    day = dt.date(2026, 6, 12)
    old = item("old", 40, dt.datetime(2026, 6, 8, 0))  # ~120 h old at the end of the 12th
    fresh = item("fresh", 10, dt.datetime(2026, 6, 12, 12))  # 12 h old
    assert [i.paper.arxiv_id for i in sort_trending([old, fresh], day)] == ["fresh", "old"]
    same_age = item("more", 11, dt.datetime(2026, 6, 12, 12))
    assert [i.paper.arxiv_id for i in sort_trending([fresh, same_age], day)] == ["more", "fresh"]
