"""Following authors and organizations, and saved searches: what a reader asked to hear about.

An author is followed by name key (papers/authors.py) with the spelling the reader chose, and
their papers are those whose spelling is compatible with it; an organization by its handle. The
Following view, its feed and the digest read `followed_papers`; saved searches keep the search
page's query string and come back in the digest and as the search's Atom feed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlencode

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dailypapers.common import ratelimit
from dailypapers.db.models import Follow, Paper, SavedSearch, User, utcnow
from dailypapers.papers import authors
from dailypapers.papers.store import PaperStore, organization_condition

Kind = Literal["author", "organization"]
MAX_FOLLOWS = 500
MAX_SEARCHES = 100
SEARCH_KEYS = ("q", "mode", "sort", "from", "to", "category", "min_upvotes")


class FollowError(ValueError):
    """Refused, in one sentence for the reader."""


def follow(session: Session, user: User, kind: Kind, name: str) -> Follow:
    """Follow an author (any spelling) or an organization (its handle); idempotent."""
    ratelimit.hit(session, "library", str(user.id))
    name = " ".join(name.split())[:300]
    if kind == "author":
        key = authors.name_key(name)
        if not key:
            raise FollowError("Give an author's name.")
    else:
        key = name[:120]
        if session.scalar(select(Paper.id).where(organization_condition(key)).limit(1)) is None:
            raise FollowError(f"No organization {name!r} here.")
    found = session.scalar(
        select(Follow).where(Follow.user_id == user.id, Follow.kind == kind, Follow.key == key)
    )
    if found is not None:
        return found
    count = session.scalar(select(func.count()).where(Follow.user_id == user.id)) or 0
    if count >= MAX_FOLLOWS:
        raise FollowError(f"A reader follows at most {MAX_FOLLOWS} authors and organizations.")
    made = Follow(user_id=user.id, kind=kind, key=key, label=name, created_at=utcnow())
    session.add(made)
    session.flush()
    return made


def unfollow(session: Session, user: User, kind: Kind, name: str) -> None:
    ratelimit.hit(session, "library", str(user.id))
    key = authors.name_key(name) if kind == "author" else " ".join(name.split())[:120]
    session.execute(
        delete(Follow).where(Follow.user_id == user.id, Follow.kind == kind, Follow.key == key)
    )


def follows_of(session: Session, user: User) -> list[Follow]:
    query = select(Follow).where(Follow.user_id == user.id).order_by(Follow.kind, Follow.label)
    return list(session.scalars(query))


def is_following(session: Session, user: User | None, kind: Kind, name: str) -> bool:
    if user is None:
        return False
    key = authors.name_key(name) if kind == "author" else name
    query = select(Follow.id).where(
        Follow.user_id == user.id, Follow.kind == kind, Follow.key == key
    )
    return session.scalar(query) is not None


@dataclass(frozen=True)
class Followed:
    paper: Paper
    reason: str  # "by Kaiming He, whom you follow"


def followed_papers(
    session: Session, follows: list[Follow], limit: int = 100, since: dt.datetime | None = None
) -> list[Followed]:
    """Papers of the followed authors and organizations, newest first, each with why."""
    store = PaperStore(session)
    people = [f for f in follows if f.kind == "author"]
    orgs = [f for f in follows if f.kind == "organization"]
    found: dict[int, Followed] = {}
    for paper in store.papers_by_author_keys([f.key for f in people], limit * 4, since):
        who = next(
            (
                f.label
                for f in people
                if any(authors.compatible(n, f.label) for n in paper.author_names)
            ),
            None,
        )
        if who is not None:
            found[paper.id] = Followed(paper, f"by {who}, whom you follow")
    for paper in store.papers_of_organizations([f.key for f in orgs], limit, since):
        if paper.id not in found:
            found[paper.id] = Followed(
                paper, f"from {paper.organization or paper.organization_name}, which you follow"
            )

    def newest(item: Followed) -> tuple[dt.datetime, int]:
        return (item.paper.published_at or item.paper.created_at, item.paper.id)

    return sorted(found.values(), key=newest, reverse=True)[:limit]


# -- saved searches ----------------------------------------------------------------------------


def search_query(params: dict[str, str]) -> str:
    """The search page's parameters as a stable query string (empty values left out)."""
    kept = [(k, " ".join(str(params.get(k, "")).split())) for k in SEARCH_KEYS]
    return urlencode([(k, v) for k, v in kept if v])


def search_params(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query).items() if k in SEARCH_KEYS and v}


def save_search(session: Session, user: User, params: dict[str, str]) -> SavedSearch:
    ratelimit.hit(session, "library", str(user.id))
    query = search_query(params)
    words = search_params(query).get("q", "")
    if not words:
        raise FollowError("Only a search with words can be saved.")
    if len(query) > 1000:
        raise FollowError("This search is too long to save.")
    found = session.scalar(
        select(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.query == query)
    )
    if found is not None:
        return found
    count = session.scalar(select(func.count()).where(SavedSearch.user_id == user.id)) or 0
    if count >= MAX_SEARCHES:
        raise FollowError(f"A reader keeps at most {MAX_SEARCHES} saved searches.")
    made = SavedSearch(user_id=user.id, query=query, label=words[:300], created_at=utcnow())
    session.add(made)
    session.flush()
    return made


def delete_search(session: Session, user: User, search_id: int) -> None:
    ratelimit.hit(session, "library", str(user.id))
    session.execute(
        delete(SavedSearch).where(SavedSearch.user_id == user.id, SavedSearch.id == search_id)
    )


def searches_of(session: Session, user: User) -> list[SavedSearch]:
    query = select(SavedSearch).where(SavedSearch.user_id == user.id)
    return list(session.scalars(query.order_by(SavedSearch.created_at.desc())))
