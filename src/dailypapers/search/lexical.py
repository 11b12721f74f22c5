"""BM25 search with tantivy: English stemming, phrase queries, boosts for title and authors.

One index directory per instance. Writers take tantivy's lock only while syncing, so the web
server, the background worker and cron jobs can all update it; readers reload at most once a
second to see new commits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy

from dailypapers.search.documents import SearchDoc
from dailypapers.search.query import ParsedQuery

SCHEMA_VERSION = "1"
# Tuned on SciFact train (docs/decisions.md): title a little above the combined text field.
TITLE_BOOST = 0.2
AUTHORS_BOOST = 1.0


class IndexBusy(RuntimeError):
    """Another process holds the index writer; it will apply the pending changes."""


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("paper_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("text", tokenizer_name="en_stem")  # title + abstract
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("authors", tokenizer_name="default")
    return builder.build()


def _document(doc: SearchDoc) -> Any:
    return tantivy.Document(
        paper_id=doc.paper_id,
        text=f"{doc.title} {doc.abstract}",
        title=doc.title,
        authors=" ; ".join(doc.authors),
    )


class TantivyIndex:
    def __init__(self, path: Path | None) -> None:
        """`path` None keeps the index in memory (tests, evaluation)."""
        self.path = path
        schema = _schema()
        if path is None:
            self._index = tantivy.Index(schema)
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(schema, path=str(path), reuse=True)
        self._reloaded = 0.0
        self._lock = threading.Lock()
        self._memory_writer: Any = None

    # --- writes ---------------------------------------------------------------------------

    def upsert(self, docs: Iterable[SearchDoc]) -> int:
        count = 0
        writer = self._writer()
        for doc in docs:
            writer.delete_documents_by_term("paper_id", doc.paper_id)
            writer.add_document(_document(doc))
            count += 1
        self._commit(writer)
        return count

    def replace_all(
        self, batches: Iterable[Sequence[SearchDoc]], progress: Callable[[int], None] | None = None
    ) -> int:
        """Make these documents the whole index, in one commit: searches see the old index
        until the new one is complete, never an empty or half-built one."""
        count = 0
        writer = self._writer()
        try:
            writer.delete_all_documents()
            for docs in batches:
                for doc in docs:
                    writer.add_document(_document(doc))
                count += len(docs)
                if progress:
                    progress(len(docs))
        except BaseException:
            writer.rollback()  # the in-memory writer lives on: leave it nothing to commit
            if self.path is not None:
                writer.wait_merging_threads()  # releases the writer lock now, not at GC
            raise
        self._commit(writer)
        return count

    def delete(self, paper_ids: Sequence[int]) -> None:
        writer = self._writer()
        for paper_id in paper_ids:
            writer.delete_documents_by_term("paper_id", paper_id)
        self._commit(writer)

    def _writer(self) -> Any:
        if self.path is None:
            # In memory there is only this process: keep one writer.
            if self._memory_writer is None:
                self._memory_writer = self._index.writer(heap_size=64_000_000, num_threads=1)
            return self._memory_writer
        try:
            return self._index.writer(heap_size=128_000_000, num_threads=2)
        except ValueError as exc:
            raise IndexBusy(str(exc)) from exc

    def _commit(self, writer: Any) -> None:
        writer.commit()
        if self.path is not None:
            writer.wait_merging_threads()  # also releases the writer lock
        self._index.reload()
        self._reloaded = time.monotonic()

    # --- reads ----------------------------------------------------------------------------

    def _searcher(self) -> Any:
        now = time.monotonic()
        if now - self._reloaded > 1.0:
            with self._lock:
                self._index.reload()
                self._reloaded = now
        return self._index.searcher()

    def count(self) -> int:
        return int(self._searcher().num_docs)

    def search(self, query: ParsedQuery, limit: int) -> list[tuple[int, float]]:
        """Top `limit` (paper id, BM25 score), best first; empty for an empty query."""
        if query.is_empty or limit <= 0:
            return []
        parsed, _errors = self._index.parse_query_lenient(
            query.engine_string(),
            ["text", "title", "authors"],
            field_boosts={"title": TITLE_BOOST, "authors": AUTHORS_BOOST},
        )
        searcher = self._searcher()
        hits = searcher.search(parsed, limit).hits
        return [(searcher.doc(address)["paper_id"][0], float(score)) for score, address in hits]
