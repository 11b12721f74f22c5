"""Build the bundled demo set from ../shared/data/hf-daily/papers.jsonl.

Keeps the last N feed days and only the fields we may redistribute (no third-party AI summaries):
    python scripts/build_demo.py [--days 60] [--source PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

FIELDS = (
    "arxiv_id", "daily_date", "title", "abstract", "authors", "published_at",
    "submitted_on_daily_at", "upvotes", "num_comments", "github_repo", "github_stars",
    "project_page", "organization", "submitted_by",
)  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument(
        "--source", type=Path, default=ROOT.parent / "shared/data/hf-daily/papers.jsonl"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "src/dailypapers/demo/hf-daily-demo.jsonl.gz"
    )
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.source.open(encoding="utf-8")]
    days = sorted({row["daily_date"] for row in rows})[-args.days :]
    keep = [{k: row.get(k) for k in FIELDS} for row in rows if row["daily_date"] in set(days)]
    keep.sort(key=lambda row: (row["daily_date"], row["arxiv_id"]))
    # mtime=0 keeps the file byte-identical between builds.
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle:
        for row in keep:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
    print(f"{len(keep)} papers over {len(days)} days ({days[0]} .. {days[-1]}) -> {args.out}")
    if not args.no_embeddings:
        build_embeddings(args.out, args.out.with_name("hf-daily-demo.embeddings.npz"))


def build_embeddings(demo: Path, out: Path) -> None:
    """Embed the demo papers once, so a fresh instance has semantic search from the start."""
    import numpy as np

    from dailypapers.ingest.hf_daily import read_path
    from dailypapers.papers.records import PaperRecord
    from dailypapers.search.documents import SearchDoc
    from dailypapers.search.embeddings import MiniLMEmbedder
    from dailypapers.search.indexer import embed_docs, text_hash

    records = {r.arxiv_id: r for r in read_path(demo) if isinstance(r, PaperRecord)}
    docs = [SearchDoc(0, r.title, r.abstract) for r in records.values()]
    embedder = MiniLMEmbedder()
    vectors, sentences = embed_docs(embedder, docs)  # ~35 s on 2 cores
    np.savez_compressed(
        out,
        model=np.array(embedder.name),
        arxiv_ids=np.array(list(records)),
        text_hashes=np.array([text_hash(d) for d in docs]),
        vectors=vectors.astype(np.float16),
        sentence_counts=np.array([len(s) for s in sentences]),
        sentence_vectors=np.concatenate(sentences).astype(np.float16),
    )
    print(f"{len(docs)} embeddings ({embedder.name}) -> {out}")


if __name__ == "__main__":
    main()
