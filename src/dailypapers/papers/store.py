"""SQL about papers and their feed entries: upserts from ingest, feeds and lookups for pages.

How a record updates a stored paper is decided in papers/merge.py (pure); community/submissions.py
adds the feed entry of a reader's submission through `add_submission` here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from dailypapers.db.inserts import insert_ignoring, insert_many
from dailypapers.db.models import (
    Base,
    FeedEntry,
    Paper,
    PaperAuthor,
    PaperEmbedding,
    SearchChange,
    utcnow,
)
from dailypapers.papers.authors import name_key
from dailypapers.papers.merge import PAPER_FIELDS, TEXT_FIELDS, apply_record, merge_duplicates
from dailypapers.papers.records import PaperRecord


@dataclass
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_feed_entries: int = 0
    new_ids: list[str] = field(default_factory=list)

    def add(self, other: UpsertResult) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.new_feed_entries += other.new_feed_entries
        self.new_ids.extend(other.new_ids)


@dataclass(frozen=True)
class FeedItem:
    """A paper as it appears on one day's feed."""

    paper: Paper
    feed_date: dt.date
    submitted_at: dt.datetime | None
    submitted_by: str | None
    submitter_name: str | None = None

    # what ranking/trending.py ranks by (its `Rankable`)
    @property
    def entered_at(self) -> dt.datetime:
        return self.submitted_at or dt.datetime.combine(self.feed_date, dt.time())

    @property
    def votes(self) -> int:
        return self.paper.votes

    @property
    def tie_key(self) -> str:
        return self.paper.arxiv_id


class PaperStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- writes -------------------------------------------------------------------------------

    def upsert(self, records: Sequence[PaperRecord]) -> UpsertResult:
        """Insert new papers, update changed ones, add feed entries; caller commits.

        New papers go in with bulk INSERTs (the snapshot import is mostly new papers); existing
        ones go through the ORM so `_apply` can compare field by field.
        """
        result = UpsertResult()
        merged = merge_duplicates(records)
        existing = self._papers_by_arxiv_id([r.arxiv_id for r in merged])
        fresh = [r for r in merged if r.arxiv_id not in existing]
        id_of, mine = self._insert_new(fresh)
        result.new, result.new_ids = len(mine), [r.arxiv_id for r in fresh if r.arxiv_id in mine]
        result.unchanged += len(fresh) - len(mine)  # another process inserted them meanwhile
        stale: list[int] = []
        for record in merged:
            paper = existing.get(record.arxiv_id)
            if paper is None:
                continue
            changed = apply_record(paper, record)
            if changed:
                result.updated += 1
                if changed & TEXT_FIELDS:
                    stale.append(paper.id)
            else:
                result.unchanged += 1
            id_of[record.arxiv_id] = paper.id
        self.session.flush()
        self._queue_for_search(stale, new=list(id_of[a] for a in result.new_ids))
        result.new_feed_entries = self._add_feed_entries(records, id_of, set(existing))
        return result

    def _insert_new(self, records: list[PaperRecord]) -> tuple[dict[str, int], set[str]]:
        """Insert papers not seen yet; returns ids of all and the arxiv ids this call inserted.

        Another process may insert the same papers between our lookup and our insert: conflicts
        are skipped, and our rows are told apart by the batch's own `created_at`.
        """
        if not records:
            return {}, set()
        now = utcnow()
        rows = [
            {
                "arxiv_id": r.arxiv_id,
                "version": r.version,
                "upvotes": r.upvotes or 0,
                "num_comments": r.num_comments or 0,
                "observed_at": r.observed_at,
                "created_at": now,
                "updated_at": now,
                **{name: getattr(r, name) for name in PAPER_FIELDS},
            }
            for r in records
        ]
        # executemany without RETURNING, then one lookup per chunk: far faster than
        # SQLAlchemy's ordered RETURNING on SQLite (measured in bench/ingest.py).
        self._insert_ignoring(Paper, rows, ["arxiv_id"])
        id_of: dict[str, int] = {}
        mine: set[str] = set()
        arxiv_ids = [r.arxiv_id for r in records]
        for start in range(0, len(arxiv_ids), 900):
            chunk = arxiv_ids[start : start + 900]
            found = self.session.execute(
                select(Paper.arxiv_id, Paper.id, Paper.created_at).where(Paper.arxiv_id.in_(chunk))
            )
            for arxiv_id, paper_id, created_at in found:
                id_of[arxiv_id] = paper_id
                if created_at == now:
                    mine.add(arxiv_id)
        authors = [
            {"paper_id": id_of[r.arxiv_id], "position": i, "name": name, "name_key": name_key(name)}
            for r in records
            if r.arxiv_id in mine
            for i, name in enumerate(r.authors)
        ]
        if authors:
            self._insert_ignoring(PaperAuthor, authors, ["paper_id", "position"])
        return id_of, mine

    def _insert_ignoring(
        self, model: type[Base], rows: list[dict[str, Any]], keys: list[str]
    ) -> None:
        """Core executemany that skips rows whose unique `keys` already exist (no ORM objects)."""
        connection = self.session.connection()
        insert_many(connection, insert_ignoring(connection, _table(model), keys), rows)

    def _queue_for_search(self, paper_ids: list[int], new: list[int] | None = None) -> None:
        """Log papers for the lexical indexes in the caller's transaction (each host's indexer
        reads the log after its own cursor).

        `paper_ids` changed text (their embeddings are dropped); `new` were just inserted.
        """
        changed = list(dict.fromkeys([*(new or ()), *paper_ids]))
        if changed:
            now = utcnow()
            rows = [{"paper_id": i, "changed_at": now} for i in changed]
            insert_many(self.session.connection(), insert(SearchChange), rows)
        if paper_ids:  # the text changed, so the stored embedding describes an old text
            self.session.execute(
                delete(PaperEmbedding).where(PaperEmbedding.paper_id.in_(paper_ids))
            )

    def _papers_by_arxiv_id(self, arxiv_ids: list[str]) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        for start in range(0, len(arxiv_ids), 500):
            chunk = arxiv_ids[start : start + 500]
            rows = self.session.scalars(select(Paper).where(Paper.arxiv_id.in_(chunk)))
            found.update({p.arxiv_id: p for p in rows})
        return found

    def _add_feed_entries(
        self, records: Sequence[PaperRecord], id_of: dict[str, int], existing: set[str]
    ) -> int:
        wanted = {(r.arxiv_id, r.feed_date): r for r in records if r.feed_date is not None}
        if not wanted:
            return 0
        old_ids = [id_of[a] for a, _ in wanted if a in existing]
        present: set[tuple[int, dt.date]] = set()
        unnamed: list[tuple[int, dt.date]] = []  # entries stored before submitter handles were
        for start in range(0, len(old_ids), 500):
            rows = self.session.execute(
                select(FeedEntry.paper_id, FeedEntry.feed_date, FeedEntry.submitter_name).where(
                    FeedEntry.paper_id.in_(old_ids[start : start + 500])
                )
            )
            for paper_id, day, name in rows:
                present.add((paper_id, day))
                if name is None:
                    unnamed.append((paper_id, day))
        self._name_submitters(unnamed, {(id_of[a], d): r for (a, d), r in wanted.items()})
        new_rows = [
            {
                "paper_id": id_of[arxiv_id],
                "feed_date": day,
                "submitted_at": record.submitted_at,
                "submitted_by": record.submitted_by,
                "submitter_name": record.submitter_name,
                "source": record.source,
            }
            for (arxiv_id, day), record in wanted.items()
            if (id_of[arxiv_id], day) not in present
        ]
        if new_rows:
            self._insert_ignoring(FeedEntry, new_rows, ["paper_id", "feed_date"])
        return len(new_rows)

    def _name_submitters(
        self, unnamed: list[tuple[int, dt.date]], records: dict[tuple[int, dt.date], PaperRecord]
    ) -> None:
        """Give entries stored without a submitter handle the one a record now carries (a source
        imported again after migration 0012): the only field of a kept entry an import fills."""
        for paper_id, day in unnamed:
            record = records.get((paper_id, day))
            if record is None or record.submitter_name is None:
                continue
            self.session.execute(
                update(FeedEntry)
                .where(
                    FeedEntry.paper_id == paper_id,
                    FeedEntry.feed_date == day,
                    FeedEntry.submitter_name.is_(None),
                )
                .values(
                    submitter_name=record.submitter_name,
                    submitted_by=func.coalesce(FeedEntry.submitted_by, record.submitted_by),
                )
            )

    def add_submission(self, paper: Paper, day: dt.date, username: str, user_id: int) -> FeedEntry:
        """A reader's submission: the paper's feed entry for `day`, credited to them."""
        entry = FeedEntry(
            paper_id=paper.id,
            feed_date=day,
            submitted_at=utcnow(),
            submitted_by=username,
            submitter_name=username,
            submitter_id=user_id,
            source="community",
        )
        self.session.add(entry)
        self.session.flush()
        return entry

    # --- reads --------------------------------------------------------------------------------

    def get(self, arxiv_id: str) -> Paper | None:
        return self.session.scalar(select(Paper).where(Paper.arxiv_id == arxiv_id))

    def papers_by_author_keys(
        self, keys: Sequence[str], limit: int = 2000, since: dt.datetime | None = None
    ) -> list[Paper]:
        """Visible papers with an author under any of these name keys, newest first (by arXiv
        date, else when stored); `since`: only papers stored since then."""
        if not keys:
            return []
        newest = func.coalesce(Paper.published_at, Paper.created_at)
        matching = select(PaperAuthor.paper_id).where(PaperAuthor.name_key.in_(list(keys)))
        query = select(Paper).where(Paper.id.in_(matching), Paper.hidden.is_(False))
        if since is not None:
            query = query.where(Paper.created_at >= since)
        return list(
            self.session.scalars(query.order_by(newest.desc(), Paper.id.desc()).limit(limit))
        )

    def papers_of_organizations(
        self, names: Sequence[str], limit: int = 500, since: dt.datetime | None = None
    ) -> list[Paper]:
        """Visible papers of these organizations (handles), newest first."""
        if not names:
            return []
        newest = func.coalesce(Paper.published_at, Paper.created_at)
        query = select(Paper).where(
            or_(*[organization_condition(n) for n in names]), Paper.hidden.is_(False)
        )
        if since is not None:
            query = query.where(Paper.created_at >= since)
        return list(
            self.session.scalars(query.order_by(newest.desc(), Paper.id.desc()).limit(limit))
        )

    # --- arXiv's own listing: papers by the day arXiv published them, curated or not ---------

    def listed(
        self, day: dt.date, category: str | None, limit: int, offset: int = 0
    ) -> list[Paper]:
        query = _published_on(select(Paper), day, category)
        query = query.order_by(Paper.published_at.desc(), Paper.arxiv_id).offset(offset)
        return list(self.session.scalars(query.limit(limit)))

    def count_listed(self, day: dt.date, category: str | None) -> int:
        return self.session.scalar(_published_on(select(func.count(Paper.id)), day, category)) or 0

    def listed_day(
        self, category: str | None, before: dt.date | None = None, after: dt.date | None = None
    ) -> dt.date | None:
        """The latest day with papers (before `before`), or the first one after `after`."""
        pick = func.min if after else func.max
        query = select(pick(Paper.published_at)).where(Paper.hidden.is_(False))
        if before:
            query = query.where(Paper.published_at < dt.datetime.combine(before, dt.time()))
        if after:
            query = query.where(Paper.published_at >= _next_day(after))
        if category:
            query = query.where(category_condition(category))
        found: dt.datetime | None = self.session.scalar(query)
        return found.date() if found else None

    def on_feed(self, paper_ids: list[int]) -> set[int]:
        """Which of these papers are on the curated feed (any day)."""
        if not paper_ids:
            return set()
        query = select(FeedEntry.paper_id).where(FeedEntry.paper_id.in_(paper_ids))
        return set(self.session.scalars(query))

    def without_arxiv_metadata(self, limit: int) -> list[str]:
        """Papers on the feed that arXiv has not described yet (no categories), newest first."""
        query = (
            select(Paper.arxiv_id)
            .join(FeedEntry, FeedEntry.paper_id == Paper.id)
            .where(Paper.categories.is_(None), Paper.arxiv_updated_at.is_(None))
            .group_by(Paper.arxiv_id)
            .order_by(func.max(FeedEntry.feed_date).desc(), Paper.arxiv_id)
            .limit(limit)
        )
        return list(self.session.scalars(query))

    def count_papers(self) -> int:
        return self.session.scalar(select(func.count(Paper.id))) or 0

    def has_category(self, category: str | None = None) -> bool:
        """Whether any visible paper lists `category` (any category at all when None)."""
        condition = (
            Paper.categories.is_not(None) & (Paper.categories != "")
            if category is None
            else category_condition(category)
        )
        query = select(Paper.id).where(condition, Paper.hidden.is_(False)).limit(1)
        return self.session.scalar(query) is not None

    def latest_feed_date(self, category: str | None = None) -> dt.date | None:
        query = select(func.max(FeedEntry.feed_date))
        found: dt.date | None = self.session.scalar(_visible(query, category))
        return found

    def feed_date_before(self, day: dt.date, category: str | None = None) -> dt.date | None:
        query = select(func.max(FeedEntry.feed_date)).where(FeedEntry.feed_date < day)
        found: dt.date | None = self.session.scalar(_visible(query, category))
        return found

    def feed_date_after(self, day: dt.date, category: str | None = None) -> dt.date | None:
        query = select(func.min(FeedEntry.feed_date)).where(FeedEntry.feed_date > day)
        found: dt.date | None = self.session.scalar(_visible(query, category))
        return found

    def feed(
        self,
        start: dt.date,
        end: dt.date,
        *,
        sort: str = "upvotes",
        limit: int | None = None,
        offset: int = 0,
        category: str | None = None,
        submitter: str | None = None,
        organization: str | None = None,
    ) -> list[FeedItem]:
        """Feed entries with start <= day <= end: by upvotes (ties: earlier submission) or date;
        `submitter`: only those that handle submitted; `organization`: only its papers (by
        handle, or by full name where the source gave no handle)."""
        query = (
            select(FeedEntry, Paper)
            .join(Paper, FeedEntry.paper_id == Paper.id)
            .where(FeedEntry.feed_date.between(start, end))
        )
        if submitter is not None:
            query = query.where(FeedEntry.submitter_name == submitter)
        if organization is not None:
            query = query.where(organization_condition(organization))
        query = _visible(query, category, joined=True)
        if sort == "date":
            query = query.order_by(
                FeedEntry.feed_date.desc(),
                FeedEntry.submitted_at.desc().nulls_last(),
                Paper.id.desc(),
            )
        else:
            query = query.order_by(
                (Paper.upvotes + Paper.community_votes).desc(),
                FeedEntry.submitted_at.asc().nulls_last(),
                Paper.id.asc(),
            )
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [
            FeedItem(
                paper, entry.feed_date, entry.submitted_at, entry.submitted_by, entry.submitter_name
            )
            for entry, paper in self.session.execute(query)
        ]

    def count_feed(self, start: dt.date, end: dt.date, category: str | None = None) -> int:
        query = select(func.count(FeedEntry.id)).where(FeedEntry.feed_date.between(start, end))
        return self.session.scalar(_visible(query, category)) or 0

    def papers_per_day(
        self, start: dt.date, end: dt.date, category: str | None = None
    ) -> dict[dt.date, int]:
        query = (
            select(FeedEntry.feed_date, func.count(FeedEntry.id))
            .where(FeedEntry.feed_date.between(start, end))
            .group_by(FeedEntry.feed_date)
        )
        rows = self.session.execute(_visible(query, category))
        return dict(rows.all())

    def upvotes_on_day(self, day: dt.date) -> list[tuple[str, int]]:
        rows = self.session.execute(
            select(Paper.arxiv_id, Paper.upvotes + Paper.community_votes)
            .join(FeedEntry, FeedEntry.paper_id == Paper.id)
            .where(FeedEntry.feed_date == day)
        )
        return list(rows)


def _table(model: type[Base]) -> Table:
    """The Core table of a model, for executemany inserts without ORM bookkeeping."""
    return model.__table__  # type: ignore[return-value]


def organization_condition(name: str) -> ColumnElement[bool]:
    """Papers of an organization: its handle, or its full name where no handle was given."""
    return or_(
        Paper.organization_name == name,
        and_(Paper.organization_name.is_(None), Paper.organization == name),
    )


def category_condition(category: str) -> ColumnElement[bool]:
    """Papers listing `category` among their space-separated categories (exact token match)."""
    padded = " " + func.coalesce(Paper.categories, "") + " "
    return padded.like(f"% {category} %")


def _next_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def _published_on(query: Any, day: dt.date, category: str | None) -> Any:
    start = dt.datetime.combine(day, dt.time())
    query = query.where(
        Paper.published_at >= start, Paper.published_at < _next_day(day), Paper.hidden.is_(False)
    )
    return query.where(category_condition(category)) if category else query


def _visible(query: Any, category: str | None, joined: bool = False) -> Any:
    """Only papers a moderator has not hidden, and of `category` when one is given."""
    if not joined:
        query = query.join(Paper, FeedEntry.paper_id == Paper.id)
    query = query.where(Paper.hidden.is_(False))
    return query.where(category_condition(category)) if category else query
