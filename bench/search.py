"""Search latency at scale: hybrid/lexical/semantic through SearchService, next to the raw engine
calls and an arxiv-sanity-lite-style linear scan, on corpora recombined from real abstracts.

    python bench/search.py                 # quick: 100k papers
    FULL=1 python bench/search.py          # 100k and 1M papers
    python bench/search.py --sizes 20000   # anything else

Corpus: every synthetic paper takes the title and authors of one real Hugging Face daily paper and
6-9 sentences from three real abstracts. Its vectors are built from the real MiniLM embeddings of
those source papers and sentences (the demo set ships them), so vector neighbourhoods look like
real ones without embedding a million texts. Queries are real titles and title fragments, embedded
with the real model at query time (that cost is inside the hybrid figures).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    RESULTS,
    SHARED,
    dir_mb,
    machine,
    percentiles,
    rss_mb,
    timed,
    write_result,
)

from dailypapers.config import Settings  # noqa: E402
from dailypapers.db import migrate  # noqa: E402
from dailypapers.db.engine import make_engine, make_sessionmaker  # noqa: E402
from dailypapers.db.models import Paper, PaperEmbedding, utcnow  # noqa: E402
from dailypapers.demo import DEMO_EMBEDDINGS, DEMO_FILE  # noqa: E402
from dailypapers.ingest.hf_daily import read_path  # noqa: E402
from dailypapers.papers.records import PaperRecord  # noqa: E402
from dailypapers.search.documents import SearchDoc, split_sentences  # noqa: E402
from dailypapers.search.embeddings import MODEL_NAME, MiniLMEmbedder, normalize  # noqa: E402
from dailypapers.search.lexical import TantivyIndex  # noqa: E402
from dailypapers.search.mapped import EXACT_BELOW, MappedVectors  # noqa: E402
from dailypapers.search.postgres import PgVectorIndex  # noqa: E402
from dailypapers.search.query import parse_query  # noqa: E402
from dailypapers.search.runtime import stored_vectors  # noqa: E402
from dailypapers.search.service import SearchService  # noqa: E402


def load_sources() -> list[dict]:
    records = {r.arxiv_id: r for r in read_path(DEMO_FILE) if isinstance(r, PaperRecord)}
    data = np.load(DEMO_EMBEDDINGS)
    bounds = np.cumsum(np.concatenate([[0], data["sentence_counts"]]))
    sources = []
    for i, arxiv_id in enumerate(data["arxiv_ids"]):
        record = records[str(arxiv_id)]
        sentences = split_sentences(record.abstract) or [record.title]
        sentence_vectors = data["sentence_vectors"][bounds[i] : bounds[i + 1]].astype(np.float32)
        if len(sentences) != len(sentence_vectors):
            continue
        sources.append(
            {"title": record.title, "authors": record.authors, "sentences": sentences,
             "vector": data["vectors"][i].astype(np.float32), "sentence_vectors": sentence_vectors}
        )  # fmt: skip
    return sources


def synthesise(sources: list[dict], n: int, seed: int = 7):
    """Yield (title, abstract, authors, vector, sentence_vectors) for n recombined papers."""
    rng = np.random.default_rng(seed)
    weights = np.array([0.6, 0.25, 0.15], dtype=np.float32)
    for i in range(n):
        picks = rng.choice(len(sources), 3, replace=False)
        chosen = [sources[p] for p in picks]
        sentences, svecs = [], []
        for source, take in zip(chosen, (4, 2, 2), strict=True):
            idx = rng.permutation(len(source["sentences"]))[:take]
            sentences += [source["sentences"][j] for j in idx]
            svecs.append(source["sentence_vectors"][idx])
        vector = sum(w * s["vector"] for w, s in zip(weights, chosen, strict=True))
        vector = normalize(vector + rng.normal(0, 0.01, vector.shape).astype(np.float32))
        title = chosen[0]["title"] if i < len(sources) else f"{chosen[0]['title']} ({i})"
        yield title, " ".join(sentences), chosen[0]["authors"], vector, np.concatenate(svecs)


def build_store(folder: Path, sources: list[dict], n: int, database_url: str = ""):
    settings = Settings(data_dir=folder, search_worker=False, env="test", database_url=database_url)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    sessions = make_sessionmaker(engine)
    vectors: Any
    lexical = TantivyIndex(folder / "tantivy")  # each host's own BM25 index, on both backends
    if engine.dialect.name == "postgresql":  # pgvector in the database, as the product uses
        vectors = PgVectorIndex(engine, 384)
    else:
        vectors = MappedVectors(  # as `dailypapers index` builds it and `serve` reads it
            folder / "vectors", 384, MODEL_NAME, stored_vectors(sessions, MODEL_NAME)
        )
    stored: list[tuple[int, np.ndarray, np.ndarray]] = []
    timings = {"db_s": 0.0, "lexical_s": 0.0, "vectors_s": 0.0}
    batch: list = []
    next_id = 1

    def flush() -> None:
        nonlocal next_id
        ids = list(range(next_id, next_id + len(batch)))
        next_id += len(batch)
        now = utcnow()
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(Paper), [
                {"id": pid, "arxiv_id": f"9{pid:09d}", "title": t, "abstract": a,
                 "upvotes": pid % 97, "num_comments": 0, "created_at": now, "updated_at": now,
                 "published_at": now}
                for pid, (t, a, _, _, _) in zip(ids, batch, strict=True)
            ])  # fmt: skip
            conn.execute(insert(PaperEmbedding), [
                {"paper_id": pid, "model": MODEL_NAME, "text_hash": "",
                 "vector": v.tobytes(), "sentence_vectors": s.astype(np.float16).tobytes()}
                for pid, (_, _, _, v, s) in zip(ids, batch, strict=True)
            ])  # fmt: skip
        t1 = time.perf_counter()
        lexical.upsert(
            SearchDoc(pid, t, a, au) for pid, (t, a, au, _, _) in zip(ids, batch, strict=True)
        )
        t2 = time.perf_counter()
        if isinstance(vectors, PgVectorIndex):
            vectors.backfill()  # fills the pgvector column from the stored bytes (HNSW inserts)
        else:
            matrix = np.stack([v for _, _, _, v, _ in batch])
            vectors.add(ids, matrix)
            stored.append((ids[-1], np.array(ids), matrix))
        timings["db_s"] += t1 - t0
        timings["lexical_s"] += t2 - t1
        timings["vectors_s"] += time.perf_counter() - t2
        batch.clear()

    for item in synthesise(sources, n):
        batch.append(item)
        if len(batch) == 20_000:
            flush()
            print(f"  stored {next_id - 1:,} papers", file=sys.stderr, flush=True)
    if batch:
        flush()
    if isinstance(vectors, MappedVectors) and n >= EXACT_BELOW:
        t0 = time.perf_counter()
        vectors.compact(lambda after: iter(stored))  # the memory-mapped graph
        timings["hnsw_build_s"] = time.perf_counter() - t0
    stored.clear()
    return engine, sessions, lexical, vectors, {k: round(v, 1) for k, v in timings.items()}


def queries(count: int, seed: int = 11) -> list[str]:
    titles = [
        r.title
        for r in read_path(SHARED / "hf-daily" / "papers.jsonl")
        if isinstance(r, PaperRecord)
    ]
    rng = random.Random(seed)
    picked = rng.sample(titles, count)
    out = []
    for i, title in enumerate(picked):
        words = re.findall(r"\w+", title)
        out.append(title if i % 2 else " ".join(words[: rng.randint(2, 4)]))
    return out


def linear_scan(docs: list[tuple[str, str]], query: str) -> list[int]:
    """arxiv-sanity-lite's search_rank: count query words in every paper, in Python."""
    words = query.lower().split()
    scores = []
    for i, (title, abstract) in enumerate(docs):
        t, a = title.lower(), abstract.lower()
        score = sum(3.0 * t.count(w) + 0.3 * a.count(w) for w in words)
        if score > 0:
            scores.append((score, i))
    scores.sort(reverse=True)
    return [i for _, i in scores[:20]]


def bench_size(
    n: int, sources: list[dict], qs: list[str], embedder: MiniLMEmbedder, database_url: str = ""
) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"dp-bench-{n}-"))
    try:
        print(f"building {n:,} papers in {folder}", file=sys.stderr, flush=True)
        engine, sessions, lexical, vectors, build = build_store(folder, sources, n, database_url)
        service = SearchService(sessions, lexical, vectors, embedder)
        for q in qs[:10]:  # warm up caches and the model
            service.search(q, mode="hybrid")
        figures: dict = {"papers": n, "build": build, "vector_index": type(vectors).__name__}
        raw = {"embed": [], "lexical": [], "vector": [], "raw_total": []}
        for q in qs:
            t_embed, qv = timed(embedder.embed, [q])
            t_lex, _ = timed(lexical.search, parse_query(q), 200)
            t_vec, _ = timed(vectors.search, qv[0], 200)
            raw["embed"].append(t_embed)
            raw["lexical"].append(t_lex)
            raw["vector"].append(t_vec)
            raw["raw_total"].append(t_embed + t_lex + t_vec)
        figures["raw"] = {k: percentiles(v) for k, v in raw.items()}
        for mode in ("lexical", "semantic", "hybrid"):
            samples = [timed(service.search, q, mode=mode, limit=20)[0] for q in qs]
            figures[mode] = percentiles(samples)
        figures["overhead_hybrid_vs_raw_p50"] = round(
            figures["hybrid"]["p50_ms"] / figures["raw"]["raw_total"]["p50_ms"], 2
        )
        docs = [(s[0], s[1]) for s in synthesise(sources, n)]
        scan_queries = qs[: max(5, min(50, 2_000_000 // n))]
        figures["linear_scan"] = percentiles([timed(linear_scan, docs, q)[0] for q in scan_queries])
        figures["backend"] = engine.dialect.name
        figures["memory"] = {"rss_mb": rss_mb()}
        if engine.dialect.name == "sqlite":
            figures["memory"].update(
                vectors_in_memory_mb=round(vectors._fresh._vectors.nbytes / 2**20, 1),
                vector_graph_mb=dir_mb(folder / "vectors"),
                tantivy_mb=dir_mb(folder / "tantivy"),
                sqlite_mb=round((folder / "dailypapers.db").stat().st_size / 2**20, 1),
            )
        engine.dispose()
        return figures
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def print_table(results: list[dict]) -> None:
    print(f"\nmachine: {machine()['cpu']} ({machine()['cores']} cores)")
    head = f"{'papers':>9} {'what':<26} {'p50 ms':>9} {'p99 ms':>9}"
    print(head + "\n" + "-" * len(head))
    for r in results:
        rows = [
            ("query embedding (onnx)", r["raw"]["embed"]),
            ("lexical top-200 (raw)", r["raw"]["lexical"]),
            (f"{r['vector_index']} top-200", r["raw"]["vector"]),
            ("raw engines, summed", r["raw"]["raw_total"]),
            ("service: lexical", r["lexical"]),
            ("service: semantic", r["semantic"]),
            ("service: hybrid", r["hybrid"]),
            ("linear scan (a-s-lite)", r["linear_scan"]),
        ]
        for name, p in rows:
            print(f"{r['papers']:>9,} {name:<26} {p['p50_ms']:>9.2f} {p['p99_ms']:>9.2f}")
        memory = ", ".join(f"{k} {v}" for k, v in r["memory"].items())
        print(f"{'':>9} overhead hybrid/raw p50: {r['overhead_hybrid_vs_raw_p50']}x; "
              f"memory (MB): {memory}; build {r['build']}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    full = os.environ.get("FULL") == "1"
    parser.add_argument("--sizes", default="100000,1000000" if full else "100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default="", help="PostgreSQL: its own search engines")
    args = parser.parse_args()
    sources = load_sources()
    embedder = MiniLMEmbedder(threads=2)
    qs = queries(args.queries)
    results = [
        bench_size(int(n), sources, qs, embedder, args.database_url) for n in args.sizes.split(",")
    ]
    print_table(results)
    # keep figures of other sizes from earlier runs (each entry carries its own run's machine)
    name = "search-postgres" if args.database_url.startswith("postgres") else "search"
    previous = RESULTS / f"{name}.json"
    kept = []
    if previous.exists():
        old = json.loads(previous.read_text())
        sizes = {r["papers"] for r in results}
        kept = [{**r, "machine": r.get("machine", old["machine"])} for r in old.get("results", [])
                if r["papers"] not in sizes]  # fmt: skip
    here = machine()
    merged = sorted(kept + [{**r, "machine": here} for r in results], key=lambda r: r["papers"])
    path = write_result(name, {"sources": len(sources), "queries": len(qs), "results": merged})
    print(
        f"\nwritten to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}"
    )


if __name__ == "__main__":
    main()
