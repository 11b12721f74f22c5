"""Evaluate search on any BEIR-layout folder through the production code path.

The corpus goes into a throwaway store (SQLite + tantivy in a temporary folder) through the same
upsert, queue, indexer and SearchService the site uses; only queries with judgments in the chosen
split are run.
"""

from __future__ import annotations

import csv
import gzip
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dailypapers.config import Settings
from dailypapers.db import migrate
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.papers.records import PaperRecord
from dailypapers.papers.store import PaperStore
from dailypapers.search.embeddings import Embedder
from dailypapers.search.metrics import mrr_at, ndcg_at, recall_at
from dailypapers.search.runtime import SearchRuntime, build_search
from dailypapers.search.service import MODES, Mode

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class BeirError(ValueError):
    """The folder is not in the BEIR layout; the message says what is missing."""


def load_beir(
    folder: Path, split: str
) -> tuple[list[dict[str, Any]], dict[str, str], dict[str, dict[str, int]]]:
    corpus_path = next(
        (folder / n for n in ("corpus.jsonl", "corpus.jsonl.gz") if (folder / n).exists()), None
    )
    if corpus_path is None:
        raise BeirError(f"{folder}: no corpus.jsonl or corpus.jsonl.gz")
    for needed in (folder / "queries.jsonl", folder / "qrels" / f"{split}.tsv"):
        if not needed.exists():
            raise BeirError(f"{needed} is missing")
    corpus = list(_jsonl(corpus_path))
    queries = {str(q["_id"]): q["text"] for q in _jsonl(folder / "queries.jsonl")}
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 3 or not row[2].strip().lstrip("-").isdigit():
                continue  # header or blank line
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
    qrels = {q: rel for q, rel in qrels.items() if q in queries}
    return corpus, queries, qrels


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _record(doc: dict[str, Any]) -> PaperRecord:
    authors = (doc.get("metadata") or {}).get("authors") or ()
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.split(",")]
    return PaperRecord(
        arxiv_id=str(doc["_id"]),
        title=str(doc.get("title") or ""),
        abstract=str(doc.get("text") or ""),
        authors=tuple(str(a) for a in authors if str(a).strip()),
    )


def evaluate(
    folder: Path,
    split: str = "test",
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    database_url: str = "",
) -> dict[str, Any]:
    """`database_url`: an empty database to evaluate on (PostgreSQL: its own search engines);
    by default a temporary SQLite file."""
    with beir_instance(folder, split, embedder, progress, database_url) as built:
        report, latencies = score_modes(built, MODES, progress)
    report.update(
        docs=built.docs,
        queries=len(built.qrels),
        index_s=round(built.index_s, 2),
        query_ms_p50=round(statistics.median(latencies) * 1000, 2) if latencies else None,
    )
    return report


@dataclass
class BeirInstance:
    runtime: SearchRuntime
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    docs: int
    index_s: float


@contextmanager
def beir_instance(
    folder: Path,
    split: str = "test",
    embedder: Embedder | None = None,
    progress: Progress | None = None,
    database_url: str = "",
) -> Iterator[BeirInstance]:
    """A throwaway instance holding the BEIR corpus, indexed as the site indexes papers."""
    corpus, queries, qrels = load_beir(folder, split)
    with tempfile.TemporaryDirectory(prefix="dailypapers-eval-") as tmp:
        settings = Settings(
            data_dir=Path(tmp), search_worker=False, env="test", database_url=database_url
        )
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        runtime = build_search(settings, sessions, embedder)
        started = time.perf_counter()
        for start in range(0, len(corpus), 1000):
            with sessions() as session:
                PaperStore(session).upsert([_record(d) for d in corpus[start : start + 1000]])
                session.commit()
        runtime.indexer.sync_lexical()
        embedded = [0]

        def tick(n: int) -> None:
            embedded[0] += n
            if progress:
                progress("embed", embedded[0], len(corpus))

        runtime.indexer.embed_pending(progress=tick)
        runtime.indexer.refresh_vectors()
        try:
            yield BeirInstance(runtime, queries, qrels, len(corpus), time.perf_counter() - started)
        finally:
            engine.dispose()


def score_modes(
    built: BeirInstance, modes: tuple[Mode, ...], progress: Progress | None = None
) -> tuple[dict[str, Any], list[float]]:
    """nDCG@10, Recall@100 and MRR@10 per mode, through SearchService; hybrid latencies."""
    report: dict[str, Any] = {}
    latencies: list[float] = []
    qrels, queries = built.qrels, built.queries
    for mode in modes:
        scores = {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
        for done, (qid, relevant) in enumerate(sorted(qrels.items()), start=1):
            t0 = time.perf_counter()
            result = built.runtime.service.search(queries[qid], mode=mode, limit=100)
            if mode == "hybrid":
                latencies.append(time.perf_counter() - t0)
            ranked = [h.paper.arxiv_id for h in result.hits]
            scores["ndcg@10"] += ndcg_at(ranked, relevant)
            scores["recall@100"] += recall_at(ranked, relevant)
            scores["mrr@10"] += mrr_at(ranked, relevant)
            if progress:
                progress(mode, done, len(qrels))
        report[mode] = {k: round(v / max(len(qrels), 1), 4) for k, v in scores.items()}
    return report, latencies
