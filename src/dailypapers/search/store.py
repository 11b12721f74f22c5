"""All SQL the search side needs: the lexical change log, stored embeddings, result rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import ColumnElement, and_, delete, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from dailypapers.db.models import Paper, PaperAuthor, PaperEmbedding, SearchChange
from dailypapers.papers.store import category_condition
from dailypapers.search.changes import START, Cursor
from dailypapers.search.documents import SearchDoc

NO_HORIZON = 2**62  # SQLite: every logged change is committed (one writer)


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str | None = None
    min_upvotes: int | None = None

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in (self.date_from, self.date_to, self.category)) or (
            self.min_upvotes is not None and self.min_upvotes > 0
        )


class SearchStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- lexical change log -------------------------------------------------------------------

    def changes_after(self, cursor: Cursor, limit: int) -> list[tuple[Cursor, int]]:
        """Up to `limit` (position, paper id) logged after `cursor`, in log order, stopping
        before the first change whose transaction may still be open (PostgreSQL): what a
        reader passes can no longer appear behind it. Two index seeks (the rest of the
        cursor's transaction, then later ones): one condition with OR, or a row-value
        comparison, scanned the whole log in SQLite (150 ms at a million rows, every round)."""
        horizon = self._horizon()
        connection = self.session.connection()  # plain rows: no ORM loading
        columns = (SearchChange.txid, SearchChange.seq, SearchChange.paper_id)
        rows = list(
            connection.execute(
                select(*columns)
                .where(SearchChange.txid == cursor.txid, SearchChange.seq > cursor.seq)
                .where(SearchChange.txid < horizon)
                .order_by(SearchChange.seq)
                .limit(limit)
            )
        )
        if len(rows) < limit:
            rows += connection.execute(
                select(*columns)
                .where(SearchChange.txid > cursor.txid, SearchChange.txid < horizon)
                .order_by(SearchChange.txid, SearchChange.seq)
                .limit(limit - len(rows))
            ).all()
        return [(Cursor(r.txid, r.seq), r.paper_id) for r in rows]

    def log_head(self) -> Cursor:
        """The position after every committed change (where a rebuilt index starts reading)."""
        horizon = self._horizon()
        row = self.session.execute(
            select(SearchChange.txid, SearchChange.seq)
            .where(SearchChange.txid < horizon)
            .order_by(SearchChange.txid.desc(), SearchChange.seq.desc())
            .limit(1)
        ).first()
        return START if row is None else Cursor(row.txid, row.seq)

    def count_changes_after(self, cursor: Cursor) -> int:
        same = SearchChange.txid == cursor.txid, SearchChange.seq > cursor.seq
        rest = self.session.scalar(select(func.count()).where(SearchChange.txid > cursor.txid))
        return (self.session.scalar(select(func.count()).where(*same)) or 0) + (rest or 0)

    def prune_changes(self, before: dt.datetime) -> None:
        """Forget changes logged before `before` (an index that has not read them since is
        rebuilt: changes.STALE)."""
        self.session.execute(delete(SearchChange).where(SearchChange.changed_at < before))

    def _horizon(self) -> int:
        """PostgreSQL: the oldest transaction id still running; SQLite (one writer): no limit."""
        if self.session.get_bind().dialect.name != "postgresql":
            return NO_HORIZON
        return int(
            self.session.execute(
                text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            ).scalar_one()
        )

    def docs(self, paper_ids: Sequence[int]) -> list[SearchDoc]:
        """What the lexical index needs of these papers, read as plain rows on the session's
        connection (no ORM: this is the bulk path after an import, and the ORM's row loading
        was a quarter of reading)."""
        connection = self.session.connection()
        docs: list[SearchDoc] = []
        for start in range(0, len(paper_ids), 900):
            chunk = list(paper_ids[start : start + 900])
            names: dict[int, list[str]] = {}
            rows = connection.execute(
                select(PaperAuthor.paper_id, PaperAuthor.name)
                .where(_among(PaperAuthor.paper_id, chunk))
                .order_by(PaperAuthor.paper_id, PaperAuthor.position)
            )
            for paper_id, name in rows:
                names.setdefault(paper_id, []).append(name)
            papers = connection.execute(
                select(Paper.id, Paper.title, Paper.abstract).where(_among(Paper.id, chunk))
            )
            chosen = set(chunk)
            docs += [
                SearchDoc(pid, title, abstract or "", tuple(names.get(pid, ())))
                for pid, title, abstract in papers
                if pid in chosen
            ]
        return docs

    def all_docs(self, batch: int = 20_000) -> Iterator[list[SearchDoc]]:
        last = 0
        while True:
            ids = list(
                self.session.scalars(
                    select(Paper.id).where(Paper.id > last).order_by(Paper.id).limit(batch)
                )
            )
            if not ids:
                return
            last = ids[-1]
            yield self.docs(ids)

    def paper_ids(self) -> list[int]:
        return list(self.session.scalars(select(Paper.id)))

    # --- embeddings ---------------------------------------------------------------------------

    def docs_without_embedding(
        self, model: str, limit: int, below: int | None = None, above: int | None = None
    ) -> list[SearchDoc]:
        """Newest papers first, so today's feed becomes searchable by meaning first; only ids
        below `below` and above `above` when given. The scan walks down the ids and steps over
        every embedded paper on its way: bounds keep it to the part not yet looked at."""
        query = (
            select(Paper)
            .outerjoin(PaperEmbedding, PaperEmbedding.paper_id == Paper.id)
            .where(or_(PaperEmbedding.id.is_(None), PaperEmbedding.model != model))
        )
        if below is not None:
            query = query.where(Paper.id < below)
        if above is not None:
            query = query.where(Paper.id > above)
        papers = self.session.scalars(query.order_by(Paper.id.desc()).limit(limit))
        return [_doc(p, with_authors=False) for p in papers]

    def docs_by_arxiv_id(self, arxiv_ids: Sequence[str]) -> dict[str, SearchDoc]:
        found: dict[str, SearchDoc] = {}
        for start in range(0, len(arxiv_ids), 900):
            papers = self.session.scalars(
                select(Paper).where(Paper.arxiv_id.in_(arxiv_ids[start : start + 900]))
            )
            found.update({p.arxiv_id: _doc(p, with_authors=False) for p in papers})
        return found

    def embedded_ids(self, paper_ids: Sequence[int], model: str) -> set[int]:
        return set(
            self.session.scalars(
                select(PaperEmbedding.paper_id).where(
                    PaperEmbedding.paper_id.in_(paper_ids), PaperEmbedding.model == model
                )
            )
        )

    def count_without_embedding(self, model: str) -> int:
        """The papers, less those with an embedding by `model` (an embedding's paper always
        exists: the foreign key deletes it with its paper). Two counts from indexes, not a join
        that reads every embedding row."""
        papers = self.session.scalar(select(func.count(Paper.id))) or 0
        embedded = self.session.scalar(
            select(func.count()).select_from(PaperEmbedding).where(PaperEmbedding.model == model)
        )
        return papers - (embedded or 0)

    def save_embeddings(
        self,
        model: str,
        docs: Sequence[SearchDoc],
        vectors: np.ndarray,
        hashes: Sequence[str],
        sentence_vectors: Sequence[np.ndarray | None],
    ) -> None:
        ids = [d.paper_id for d in docs]
        self.session.execute(delete(PaperEmbedding).where(PaperEmbedding.paper_id.in_(ids)))
        present = set(self.session.scalars(select(Paper.id).where(Paper.id.in_(ids))))
        rows = zip(docs, vectors, hashes, sentence_vectors, strict=True)
        for doc, vector, text_hash, sentences in rows:
            if doc.paper_id in present:  # deleted meanwhile: nothing to store
                self.session.add(
                    PaperEmbedding(
                        paper_id=doc.paper_id,
                        model=model,
                        text_hash=text_hash,
                        vector=np.asarray(vector, dtype=np.float32).tobytes(),
                        sentence_vectors=None
                        if sentences is None
                        else np.asarray(sentences, dtype=np.float16).tobytes(),
                    )
                )

    def sentence_vectors(self, paper_ids: Sequence[int], dim: int) -> dict[int, np.ndarray]:
        rows = self.session.execute(
            select(PaperEmbedding.paper_id, PaperEmbedding.sentence_vectors).where(
                PaperEmbedding.paper_id.in_(paper_ids),
                PaperEmbedding.sentence_vectors.is_not(None),
            )
        )
        return {
            r.paper_id: np.frombuffer(r.sentence_vectors, dtype=np.float16).reshape(-1, dim)
            for r in rows
        }

    def vectors_of(self, paper_ids: Sequence[int], model: str) -> dict[int, np.ndarray]:
        """Stored vectors by paper id (the mapped graph's exact scores)."""
        found: dict[int, np.ndarray] = {}
        for start in range(0, len(paper_ids), 900):
            rows = self.session.execute(
                select(PaperEmbedding.paper_id, PaperEmbedding.vector).where(
                    PaperEmbedding.paper_id.in_(paper_ids[start : start + 900]),
                    PaperEmbedding.model == model,
                )
            ).all()
            if rows:  # one buffer for the lot: a few ms less per search at 1M papers
                matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
                found.update(zip([r[0] for r in rows], matrix.reshape(len(rows), -1), strict=True))
        return found

    def count_embeddings(self, model: str, after: int = 0) -> int:
        query = select(func.count(PaperEmbedding.id)).where(
            PaperEmbedding.model == model, PaperEmbedding.id > after
        )
        return self.session.scalar(query) or 0

    def embeddings_after(
        self, last_id: int, model: str, batch: int = 5000
    ) -> list[tuple[int, int, bytes]]:
        rows = self.session.execute(
            select(PaperEmbedding.id, PaperEmbedding.paper_id, PaperEmbedding.vector)
            .where(and_(PaperEmbedding.id > last_id, PaperEmbedding.model == model))
            .order_by(PaperEmbedding.id)
            .limit(batch)
        )
        return [(r.id, r.paper_id, r.vector) for r in rows]

    # --- results ------------------------------------------------------------------------------

    def papers(self, paper_ids: Sequence[int], filters: Filters) -> dict[int, Paper]:
        found: dict[int, Paper] = {}
        for start in range(0, len(paper_ids), 900):
            chunk = list(paper_ids[start : start + 900])
            query = select(Paper).where(Paper.id.in_(chunk)).options(selectinload(Paper.authors))
            for condition in _conditions(filters):
                query = query.where(condition)
            found.update({p.id: p for p in self.session.scalars(query)})
        return found

    def papers_by_author(self, name: str, limit: int) -> list[int]:
        """Ids of the papers with an author of exactly this name (any case), newest first."""
        query = (
            select(Paper.id)
            .join(PaperAuthor, PaperAuthor.paper_id == Paper.id)
            .where(func.lower(PaperAuthor.name) == name.lower(), Paper.hidden.is_(False))
            .order_by(Paper.published_at.desc().nulls_last(), Paper.id.desc())
            .limit(limit)
        )
        return list(dict.fromkeys(self.session.scalars(query)))

    def paper_by_arxiv_id(self, arxiv_id: str, filters: Filters) -> Paper | None:
        query = select(Paper).where(Paper.arxiv_id == arxiv_id).options(selectinload(Paper.authors))
        for condition in _conditions(filters):
            query = query.where(condition)
        return self.session.scalar(query)

    def paper_id_of(self, arxiv_id: str) -> int | None:
        return self.session.scalar(select(Paper.id).where(Paper.arxiv_id == arxiv_id))


def _conditions(filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Paper.hidden.is_(False)]
    if filters.date_from:
        conditions.append(Paper.published_at >= dt.datetime.combine(filters.date_from, dt.time()))
    if filters.date_to:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time())
        conditions.append(Paper.published_at < end)
    if filters.category:
        conditions.append(category_condition(filters.category))
    if filters.min_upvotes:
        conditions.append(Paper.upvotes + Paper.community_votes >= filters.min_upvotes)
    return conditions


def _doc(paper: Paper, with_authors: bool = True) -> SearchDoc:
    authors = tuple(paper.author_names) if with_authors else ()
    return SearchDoc(paper.id, paper.title, paper.abstract or "", authors)


def _among(column: InstrumentedAttribute[int], ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`, or a range when the ids are dense (papers imported together are
    numbered in a row): 900 bound parameters cost more to build than the rows they fetch. The
    caller drops what a range brings beyond `ids`."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return column.between(low, high)
    return column.in_(ids)
