"""The one search interface: lexical, semantic or hybrid, with filters, sorting and paging."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.db.models import Paper
from dailypapers.search.embeddings import Embedder
from dailypapers.search.interfaces import LexicalIndex, VectorSearch
from dailypapers.search.query import ParsedQuery, arxiv_id_query, author_query, parse_query
from dailypapers.search.ranker import RERANK_DEPTH, Ranked, first_stage, put_first, rerank
from dailypapers.search.store import Filters, SearchStore

log = logging.getLogger(__name__)

Mode = Literal["lexical", "semantic", "hybrid"]
Sort = Literal["relevance", "date", "upvotes"]
MODES: tuple[Mode, ...] = ("lexical", "semantic", "hybrid")
CANDIDATES = 200  # per engine, for relevance order
CANDIDATES_SORTED = 1000  # per engine, when sorting by date/upvotes or filtering
# A paper only the dense side found is a match when its cosine to the query reaches CLOSE. On
# SciFact train, 3% of relevant (claim, abstract) pairs fall below it, while nonsense queries
# ("qwzxkjvbnm florbix", "asdf qwer") peak at 0.14-0.27 (docs/decisions.md).
CLOSE = 0.25
NEAREST = 5  # shown, as "nearest, not matches", when nothing is close
NO_CLOSE_MATCH = "No close matches; the papers nearest in meaning:"


@dataclass(frozen=True)
class Hit:
    paper: Paper
    score: float


@dataclass(frozen=True)
class SearchResult:
    query: ParsedQuery
    mode: Mode  # what was asked
    used: Mode  # what ran (semantic falls back to lexical when embeddings are missing)
    hits: list[Hit]
    total: int
    offset: int
    notes: list[str] = field(default_factory=list)
    # the query was an arXiv id or link: the paper it names (None when not here); pages open it
    arxiv_id: str | None = None
    nearest_only: bool = False  # nothing matched closely: the hits are the nearest, not matches


class SearchService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        lexical: LexicalIndex,
        vectors: VectorSearch,
        embedder: Embedder | None,
    ) -> None:
        self.sessions = sessions
        self.lexical = lexical
        self.vectors = vectors
        self.embedder = embedder

    def search(
        self,
        text: str,
        *,
        mode: Mode = "hybrid",
        limit: int = 20,
        offset: int = 0,
        filters: Filters | None = None,
        sort: Sort = "relevance",
    ) -> SearchResult:
        query = parse_query(text)
        filters = filters or Filters()
        notes: list[str] = []
        wanted = arxiv_id_query(text)
        if wanted is not None:
            return self._by_id(query, mode, wanted, filters, offset)
        if query.is_empty:
            return SearchResult(query, mode, mode, [], 0, offset, ["Type some words to search."])
        depth = CANDIDATES if sort == "relevance" and not filters.active else CANDIDATES_SORTED
        depth = max(depth, offset + limit)
        used = self._usable_mode(mode, notes)
        ranked, weak = self._rank(query, used, depth)
        theirs = self._by_author(text, depth)
        if theirs:  # a name: the author's papers first, in every mode, and always matches
            ranked, weak = put_first(ranked, theirs), weak.difference(theirs)
        close = [(pid, score) for pid, score in ranked if pid not in weak]
        nearest_only = bool(ranked) and not close
        if nearest_only:  # nothing matches: say so, and show a few nearest as such
            notes.append(NO_CLOSE_MATCH)
        ranked = ranked[:NEAREST] if nearest_only else close
        if sort == "relevance" and not filters.active:
            # Only the requested page needs loading: the ranking already decided the order.
            page = self._hits(ranked[offset : offset + limit], filters, sort)
            total = len(ranked)
        else:
            hits = self._hits(ranked, filters, sort)
            page, total = hits[offset : offset + limit], len(hits)
        return SearchResult(
            query, mode, used, page, total, offset, notes, nearest_only=nearest_only
        )

    def similar(self, paper_id: int, limit: int = 10) -> tuple[list[Hit], Mode]:
        """Papers closest in meaning; by shared words while the paper has no embedding yet."""
        vector = self.vectors.vector_of(paper_id)
        if vector is not None:
            ranked: Ranked = self.vectors.search(vector, limit, exclude=paper_id)
            return self._hits(ranked, Filters(), "relevance"), "semantic"
        with self.sessions() as session:
            docs = SearchStore(session).docs([paper_id])
        if not docs:
            return [], "lexical"
        query = parse_query(f"{docs[0].title} {docs[0].abstract[:300]}")
        ranked = [h for h in self.lexical.search(query, limit + 1) if h[0] != paper_id][:limit]
        return self._hits(ranked, Filters(), "relevance"), "lexical"

    # ------------------------------------------------------------------------------------------

    def _by_id(
        self, query: ParsedQuery, mode: Mode, arxiv_id: str, filters: Filters, offset: int
    ) -> SearchResult:
        """An id or a link names one paper: that paper, exactly, or a note that it is not here."""
        with self.sessions() as session:
            found = SearchStore(session).paper_by_arxiv_id(arxiv_id, filters)
        if found is None:
            note = f"{arxiv_id} is not in this instance yet (or not within these filters)."
            return SearchResult(query, mode, mode, [], 0, offset, [note], arxiv_id)
        hits = [Hit(found, 1.0)] if offset == 0 else []
        return SearchResult(query, mode, mode, hits, 1, offset, [], arxiv_id)

    def _by_author(self, text: str, depth: int) -> list[int]:
        """When the query is an author's name, their papers (the meaning of a name says little,
        so semantic search alone ranks strangers among them); else nothing."""
        name = author_query(text)
        if name is None:
            return []
        with self.sessions() as session:
            return SearchStore(session).papers_by_author(name, depth)

    def _usable_mode(self, mode: Mode, notes: list[str]) -> Mode:
        if mode == "lexical":
            return mode
        if self.embedder is None:
            notes.append("Semantic search is unavailable (the embedding model is not installed);")
            notes.append("showing keyword matches.")
            return "lexical"
        if len(self.vectors) == 0:
            notes.append("Semantic index is still being built; showing keyword matches.")
            return "lexical"
        total = self.lexical.count()
        if len(self.vectors) < total:
            notes.append(
                f"Meaning covers {len(self.vectors):,} of {total:,} papers so far; "
                "the rest are found by their words."
            )
        return mode

    def _rank(self, query: ParsedQuery, mode: Mode, depth: int) -> tuple[Ranked, set[int]]:
        """The ranking, and the papers in it that are not close matches (found by meaning
        alone, below CLOSE)."""
        lexical = self.lexical.search(query, depth) if mode != "semantic" else []
        if mode == "lexical":
            return lexical, set()
        assert self.embedder is not None
        vector = self.embedder.embed([query.text])[0]
        found_by_words = [doc for doc, _ in lexical]
        semantic, also = self.vectors.search_with(vector, depth, found_by_words)
        words = set(found_by_words)
        weak = {d for d, cos in semantic if cos < CLOSE and d not in words}
        if mode == "semantic":
            return semantic, weak
        cosines = dict(semantic)
        cosines.update(also)
        stage1 = first_stage(lexical, cosines)
        head = [doc for doc, _ in stage1[:RERANK_DEPTH]]
        with self.sessions() as session:
            sentences = SearchStore(session).sentence_vectors(head, self.vectors.dim)
        best = {doc: float((m.astype(np.float32) @ vector).max()) for doc, m in sentences.items()}
        return rerank(stage1, best, cosines), weak

    def _hits(self, ranked: Ranked, filters: Filters, sort: Sort) -> list[Hit]:
        ids = [paper_id for paper_id, _ in ranked]
        with self.sessions() as session:
            papers = SearchStore(session).papers(ids, filters)
        hits = [Hit(papers[pid], score) for pid, score in ranked if pid in papers]
        if sort == "date":
            hits.sort(key=lambda h: h.paper.published_at or dt.datetime.min, reverse=True)
        elif sort == "upvotes":
            hits.sort(key=lambda h: -h.paper.votes)
        return hits
