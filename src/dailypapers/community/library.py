"""A reader's library: the reading list (with read state), named collections (private unless
made public) and a private Markdown note per paper. The web pages and the JSON API are thin
shells over these functions; each write counts against the reader's "library" rate limit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from dailypapers.common import ratelimit
from dailypapers.db.inserts import insert_ignoring
from dailypapers.db.models import (
    Collection,
    CollectionItem,
    Paper,
    PaperNote,
    ReadingItem,
    User,
    Vote,
    utcnow,
)

MAX_COLLECTIONS = 200  # per reader
MAX_ITEMS = 5000  # per collection, and on the reading list
MAX_NOTE = 20_000  # characters
NAME_LENGTH = 100
State = Literal["all", "unread", "read"]


class LibraryError(ValueError):
    """A request the library refuses, said in one sentence for the reader."""


def _count(session: Session, user: User) -> None:
    ratelimit.hit(session, "library", str(user.id))


# -- the reading list --------------------------------------------------------------------------


def save(session: Session, user: User, paper: Paper) -> bool:
    """Put the paper on the reading list (unread); True if it was not there before."""
    _count(session, user)
    if session.get(ReadingItem, (user.id, paper.id)) is not None:
        return False
    size = session.scalar(select(func.count()).where(ReadingItem.user_id == user.id)) or 0
    if size >= MAX_ITEMS:
        raise LibraryError(f"The reading list holds at most {MAX_ITEMS} papers.")
    row = {"user_id": user.id, "paper_id": paper.id, "added_at": utcnow()}
    return _insert(session, ReadingItem, row, ["user_id", "paper_id"])


def _insert(session: Session, model: Any, row: dict[str, Any], keys: list[str]) -> bool:
    """Insert-or-skip (a double click arriving twice at once adds one row, no error)."""
    connection = session.connection()
    done = connection.execute(insert_ignoring(connection, model.__table__, keys), [row])
    return bool(done.rowcount)


def unsave(session: Session, user: User, paper: Paper) -> bool:
    """Take the paper off the reading list; True if it was there."""
    _count(session, user)
    gone = session.execute(
        delete(ReadingItem).where(ReadingItem.user_id == user.id, ReadingItem.paper_id == paper.id)
    )
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def mark_read(session: Session, user: User, paper: Paper, read: bool = True) -> ReadingItem:
    """Mark a paper read or unread, putting it on the reading list first if needed."""
    save(session, user, paper)
    item = session.get(ReadingItem, (user.id, paper.id))
    assert item is not None
    item.read_at = (item.read_at or utcnow()) if read else None
    return item


def reading_list(
    session: Session, user: User, state: State = "all"
) -> list[tuple[Paper, ReadingItem]]:
    """The reader's saved papers, newest save first."""
    query = (
        select(Paper, ReadingItem)
        .join(ReadingItem, ReadingItem.paper_id == Paper.id)
        .where(ReadingItem.user_id == user.id)
        .order_by(ReadingItem.added_at.desc(), Paper.id.desc())
    )
    if state == "unread":
        query = query.where(ReadingItem.read_at.is_(None))
    elif state == "read":
        query = query.where(ReadingItem.read_at.is_not(None))
    return [(row[0], row[1]) for row in session.execute(query)]


def saved_ids(session: Session, user: User | None, paper_ids: Iterable[int]) -> set[int]:
    """Which of these papers are on the reader's reading list (cards show them saved)."""
    ids = list(paper_ids)
    if user is None or not ids:
        return set()
    query = select(ReadingItem.paper_id).where(
        ReadingItem.user_id == user.id, ReadingItem.paper_id.in_(ids)
    )
    return set(session.scalars(query))


def card_state(
    session: Session, user: User, paper_ids: list[int]
) -> tuple[set[int], set[int], dict[int, int]]:
    """What a signed-in reader's cards show of their own, in one query: the papers they upvoted,
    those on their reading list, and every paper's vote count as readers see it (Paper.votes)."""
    if not paper_ids:
        return set(), set(), {}
    voted = exists().where(Vote.paper_id == Paper.id, Vote.user_id == user.id)
    kept = exists().where(ReadingItem.paper_id == Paper.id, ReadingItem.user_id == user.id)
    rows = session.execute(
        select(Paper.id, Paper.upvotes, Paper.community_votes, voted, kept).where(
            Paper.id.in_(paper_ids)
        )
    )
    votes: dict[int, int] = {}
    mine: set[int] = set()
    saved: set[int] = set()
    for paper_id, upvotes, own, has_voted, has_saved in rows:
        votes[paper_id] = (upvotes or 0) + (own or 0)
        if has_voted:
            mine.add(paper_id)
        if has_saved:
            saved.add(paper_id)
    return mine, saved, votes


# -- notes -------------------------------------------------------------------------------------


def note(session: Session, user: User, paper: Paper) -> PaperNote | None:
    return session.get(PaperNote, (user.id, paper.id))


def set_note(session: Session, user: User, paper: Paper, body: str) -> PaperNote | None:
    """Write the reader's note on a paper; an empty body deletes it."""
    _count(session, user)
    body = body.strip()
    if len(body) > MAX_NOTE:
        raise LibraryError(f"A note holds at most {MAX_NOTE} characters.")
    found = session.get(PaperNote, (user.id, paper.id))
    if not body:
        if found is not None:
            session.delete(found)
        return None
    if found is None:
        found = PaperNote(user_id=user.id, paper_id=paper.id, body=body, updated_at=utcnow())
        session.add(found)
    else:
        found.body, found.updated_at = body, utcnow()
    session.flush()
    return found


# -- collections -------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise LibraryError("Give the collection a name.")
    if len(name) > NAME_LENGTH:
        raise LibraryError(f"A collection's name has at most {NAME_LENGTH} characters.")
    return name


def _name_taken(session: Session, user: User, name: str, but: int | None = None) -> bool:
    """Whether another of the reader's collections has this name, ignoring case (compared here:
    SQLite's lower() folds ASCII only, so "ÀB" and "àb" would pass it; a reader has at most
    MAX_COLLECTIONS)."""
    query = select(Collection.id, Collection.name).where(Collection.user_id == user.id)
    wanted = name.casefold()
    return any(i != but and n.casefold() == wanted for i, n in session.execute(query))


def create_collection(
    session: Session, user: User, name: str, public: bool = False, description: str = ""
) -> Collection:
    _count(session, user)
    name = _clean_name(name)
    if _name_taken(session, user, name):
        raise LibraryError(f"You already have a collection named {name!r}.")
    count = session.scalar(select(func.count()).where(Collection.user_id == user.id)) or 0
    if count >= MAX_COLLECTIONS:
        raise LibraryError(f"A reader has at most {MAX_COLLECTIONS} collections.")
    now = utcnow()
    made = Collection(
        user_id=user.id, name=name, public=public, description=description.strip()[:2000],
        created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(made)
    session.flush()
    return made


def update_collection(
    session: Session,
    user: User,
    collection: Collection,
    name: str | None = None,
    public: bool | None = None,
    description: str | None = None,
) -> Collection:
    _count(session, user)
    if name is not None:
        name = _clean_name(name)
        if _name_taken(session, user, name, but=collection.id):
            raise LibraryError(f"You already have a collection named {name!r}.")
        collection.name = name
    if public is not None:
        collection.public = public
    if description is not None:
        collection.description = description.strip()[:2000]
    collection.updated_at = utcnow()
    return collection


def delete_collection(session: Session, user: User, collection: Collection) -> None:
    _count(session, user)
    session.execute(delete(CollectionItem).where(CollectionItem.collection_id == collection.id))
    session.delete(collection)


def find_collection(session: Session, collection_id: int, reader: User | None) -> Collection:
    """A collection the reader may see (their own, or a public one); LookupError otherwise,
    the same for a private collection as for none, so ids reveal nothing."""
    found = session.get(Collection, collection_id)
    if found is None or not (found.public or (reader is not None and reader.id == found.user_id)):
        raise LookupError(f"No collection {collection_id} here.")
    return found


def own_collection(session: Session, collection_id: int, reader: User) -> Collection:
    """One of the reader's own collections; LookupError for anyone else's (even public)."""
    found = session.get(Collection, collection_id)
    if found is None or found.user_id != reader.id:
        raise LookupError(f"No collection {collection_id} of yours.")
    return found


def add_to(session: Session, user: User, collection: Collection, paper: Paper) -> bool:
    """Add the paper; True if it was not in the collection yet."""
    _count(session, user)
    if session.get(CollectionItem, (collection.id, paper.id)) is not None:
        return False
    size = session.scalar(select(func.count()).where(CollectionItem.collection_id == collection.id))
    if (size or 0) >= MAX_ITEMS:
        raise LibraryError(f"A collection holds at most {MAX_ITEMS} papers.")
    row = {"collection_id": collection.id, "paper_id": paper.id, "added_at": utcnow()}
    added = _insert(session, CollectionItem, row, ["collection_id", "paper_id"])
    session.execute(
        update(Collection).where(Collection.id == collection.id).values(updated_at=utcnow())
    )
    return added


def remove_from(session: Session, user: User, collection: Collection, paper: Paper) -> bool:
    _count(session, user)
    gone = session.execute(
        delete(CollectionItem).where(
            CollectionItem.collection_id == collection.id, CollectionItem.paper_id == paper.id
        )
    )
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def collection_papers(session: Session, collection: Collection) -> list[tuple[Paper, dt.datetime]]:
    """The collection's papers, newest addition first."""
    query = (
        select(Paper, CollectionItem.added_at)
        .join(CollectionItem, CollectionItem.paper_id == Paper.id)
        .where(CollectionItem.collection_id == collection.id)
        .order_by(CollectionItem.added_at.desc(), Paper.id.desc())
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def collections_of(session: Session, user: User) -> list[tuple[Collection, int]]:
    """The reader's collections with their sizes, most recently changed first."""
    size = (
        select(func.count())
        .where(CollectionItem.collection_id == Collection.id)
        .correlate(Collection)
        .scalar_subquery()
    )
    query = (
        select(Collection, size)
        .where(Collection.user_id == user.id)
        .order_by(Collection.updated_at.desc(), Collection.id.desc())
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def collections_holding(session: Session, user: User, paper: Paper) -> set[int]:
    """Which of the reader's collections hold this paper."""
    query = (
        select(CollectionItem.collection_id)
        .join(Collection, Collection.id == CollectionItem.collection_id)
        .where(Collection.user_id == user.id, CollectionItem.paper_id == paper.id)
    )
    return set(session.scalars(query))


# -- the data download -------------------------------------------------------------------------


def library_data(session: Session, user: User) -> dict[str, Any]:
    """The reader's library for their data download."""

    def when(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    notes = session.execute(
        select(Paper.arxiv_id, PaperNote.body, PaperNote.updated_at)
        .join(PaperNote, PaperNote.paper_id == Paper.id)
        .where(PaperNote.user_id == user.id)
        .order_by(Paper.arxiv_id)
    )
    return {
        "reading_list": [
            {"paper": p.arxiv_id, "added_at": when(i.added_at), "read_at": when(i.read_at)}
            for p, i in reading_list(session, user)
        ],
        "collections": [
            {
                "name": c.name,
                "description": c.description,
                "public": c.public,
                "created_at": when(c.created_at),
                "papers": [p.arxiv_id for p, _ in collection_papers(session, c)],
            }
            for c, _ in collections_of(session, user)
        ],
        "notes": [
            {"paper": arxiv_id, "body": body, "updated_at": when(at)}
            for arxiv_id, body, at in notes
        ],
    }
