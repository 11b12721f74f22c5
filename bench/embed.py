"""Embedding throughput: real abstracts through the production path (`embed_docs`: one vector per
paper plus one per abstract sentence, as `dailypapers index` does), on every core.

    python bench/embed.py            # 400 papers
    FULL=1 python bench/embed.py     # 3,000 papers
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, rss_mb, write_result  # noqa: E402

from dailypapers.ingest.hf_daily import read_path  # noqa: E402
from dailypapers.papers.records import PaperRecord  # noqa: E402
from dailypapers.search.documents import SearchDoc  # noqa: E402
from dailypapers.search.embeddings import MiniLMEmbedder  # noqa: E402
from dailypapers.search.indexer import embed_docs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=3000 if os.environ.get("FULL") else 400)
    args = parser.parse_args()
    records = [r for r in read_path(SHARED / "hf-daily" / "papers.jsonl")
               if isinstance(r, PaperRecord) and r.abstract][: args.papers]  # fmt: skip
    docs = [SearchDoc(i, r.title, r.abstract) for i, r in enumerate(records)]
    threads = os.cpu_count() or 1
    embedder = MiniLMEmbedder(threads=threads)
    embed_docs(embedder, docs[:8])  # load the model
    t0 = time.perf_counter()
    embedder.embed([d.embedding_text for d in docs])
    papers_only = time.perf_counter() - t0
    t0 = time.perf_counter()
    for start in range(0, len(docs), 64):  # the indexer's batches
        embed_docs(embedder, docs[start : start + 64])
    full = time.perf_counter() - t0
    sentences = sum(len(d.sentences) for d in docs)
    figures = {
        "papers": len(docs),
        "threads": threads,
        "paper_vectors_per_s": round(len(docs) / papers_only, 1),
        "indexer_papers_per_s": round(len(docs) / full, 1),
        "sentences_per_paper": round(sentences / len(docs), 1),
        "hours_per_million_papers": round(1_000_000 / (len(docs) / full) / 3600, 1),
        "rss_mb": rss_mb(),
    }
    print("| papers | paper vectors/s | indexer papers/s (with sentences) | 1M papers |")
    print("|---|---|---|---|")
    f = figures
    print(f"| {len(docs):,} | {f['paper_vectors_per_s']} | {f['indexer_papers_per_s']} | "
          f"{f['hours_per_million_papers']} h |")  # fmt: skip
    print(f"written to {write_result('embed', figures)}")


if __name__ == "__main__":
    main()
