""" "For you": recent papers ranked for one signed-in reader from what they upvoted, saved,
collected and submitted (ranking/recommend.py), the authors and organizations they follow and
their saved searches, mixed with the community's upvotes; each pick says why in one line."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dailypapers.community import follows as following
from dailypapers.db.models import (
    Collection,
    CollectionItem,
    FeedEntry,
    Paper,
    ReadingItem,
    User,
    Vote,
    utcnow,
)
from dailypapers.papers import authors
from dailypapers.ranking import recommend as rec

DAYS = 14
LIKED_LIMIT = 300  # the reader's most recent signals the profile keeps
FOLLOW_BONUS = 1.0
SEARCH_BONUS = 0.6
HOW = {"upvote": "upvoted", "save": "saved", "collect": "collected", "submit": "submitted"}


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True)
class Pick:
    paper: Paper
    score: float
    reason: str


def liked_papers(session: Session, user: User) -> list[tuple[Paper, str]]:
    """The papers the reader showed interest in, newest signal first, each with how."""
    signals: list[tuple[dt.datetime, int, str]] = []
    for at, paper_id in session.execute(
        select(Vote.created_at, Vote.paper_id).where(Vote.user_id == user.id)
    ):
        signals.append((at, paper_id, "upvote"))
    for at, paper_id in session.execute(
        select(ReadingItem.added_at, ReadingItem.paper_id).where(ReadingItem.user_id == user.id)
    ):
        signals.append((at, paper_id, "save"))
    collected = (
        select(CollectionItem.added_at, CollectionItem.paper_id)
        .join(Collection, Collection.id == CollectionItem.collection_id)
        .where(Collection.user_id == user.id)
    )
    for at, paper_id in session.execute(collected):
        signals.append((at, paper_id, "collect"))
    submitted = select(FeedEntry.submitted_at, FeedEntry.paper_id).where(
        FeedEntry.submitter_id == user.id
    )
    for when, paper_id in session.execute(submitted):
        signals.append((when or utcnow(), paper_id, "submit"))
    how: dict[int, str] = {}
    for _, paper_id, kind in sorted(signals, key=lambda s: s[0], reverse=True):
        how.setdefault(paper_id, kind)
        if len(how) >= LIKED_LIMIT:
            break
    papers = session.scalars(select(Paper).where(Paper.id.in_(list(how)))).all()
    by_id = {p.id: p for p in papers if not p.hidden}
    return [(by_id[i], k) for i, k in how.items() if i in by_id]


def item_of(paper: Paper) -> rec.Item:
    return rec.Item(
        text=f"{paper.title}. {paper.abstract or ''}",
        authors=tuple(k for k in (authors.name_key(n) for n in paper.author_names) if k),
        organization=paper.organization_name or paper.organization,
        upvotes=paper.votes,
    )


def candidates(session: Session, since: dt.date) -> list[Paper]:
    """Papers on the daily feed since `since`."""
    on_feed = select(FeedEntry.paper_id).where(FeedEntry.feed_date >= since)
    query = select(Paper).where(Paper.id.in_(on_feed), Paper.hidden.is_(False))
    return list(session.scalars(query))


def for_you(
    session: Session, user: User, days: int = DAYS, limit: int = 50, today: dt.date | None = None
) -> list[Pick]:
    """The best recent papers for this reader, best first, leaving out what they already
    upvoted, saved or collected."""
    since = (today or utcnow().date()) - dt.timedelta(days=days)
    liked = liked_papers(session, user)
    known = {p.id for p, _ in liked}
    pool = [p for p in candidates(session, since) if p.id not in known]
    follows = following.follows_of(session, user)
    followed = following.followed_papers(
        session, follows, limit=500, since=dt.datetime.combine(since, dt.time())
    )
    in_pool = {p.id for p in pool}
    pool += [f.paper for f in followed if f.paper.id not in in_pool and f.paper.id not in known]
    if not pool:
        return []
    scored = rec.recommend([item_of(p) for p, _ in liked], [item_of(p) for p in pool])
    scores = scored.scores.copy()
    reasons = [
        _reason(kind, index, liked, pool[i]) for i, (kind, index) in enumerate(scored.reasons)
    ]
    strongest = [0.0] * len(pool)
    why_followed = {f.paper.id: f.reason for f in followed}
    searches = [(s.label, set(words_of(s.label))) for s in following.searches_of(session, user)]
    for i, paper in enumerate(pool):
        if paper.id in why_followed:
            scores[i] += FOLLOW_BONUS
            reasons[i], strongest[i] = why_followed[paper.id], FOLLOW_BONUS
        text = words_of(f"{paper.title} {paper.abstract or ''}")
        for label, words in searches:
            if words and words <= text:
                scores[i] += SEARCH_BONUS
                if strongest[i] < SEARCH_BONUS:
                    reasons[i], strongest[i] = f"matches your saved search “{label}”", SEARCH_BONUS
    order = sorted(range(len(pool)), key=lambda i: (-float(scores[i]), -pool[i].id))
    return [Pick(pool[i], round(float(scores[i]), 4), reasons[i]) for i in order[:limit]]


def _reason(kind: str, nearest: int, liked: list[tuple[Paper, str]], paper: Paper) -> str:
    if kind == "words" and nearest >= 0:
        other, how = liked[nearest]
        title = other.title if len(other.title) <= 70 else other.title[:67] + "…"
        return f"like “{title}”, which you {HOW[how]}"
    if kind == "authors":
        mine = {authors.name_key(n) for p, _ in liked for n in p.author_names}
        who = next((n for n in paper.author_names if authors.name_key(n) in mine), "")
        return f"by {who}, like papers you liked"
    if kind == "organization":
        return f"from {paper.organization}, like papers you liked"
    return "popular in the community"
