"""Indexing throughput, end to end: `dailypapers index` on real papers that have no embedding yet
(the command a user runs after an import), and the embedder alone on the same papers.

    python bench/embed.py            # 400 papers
    FULL=1 python bench/embed.py     # 3,000 papers
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, write_result  # noqa: E402

from dailypapers.ingest.hf_daily import read_path  # noqa: E402
from dailypapers.papers.records import PaperRecord  # noqa: E402
from dailypapers.search.documents import SearchDoc  # noqa: E402
from dailypapers.search.embeddings import MiniLMEmbedder  # noqa: E402
from dailypapers.search.indexer import EMBED_BATCH, embed_docs  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=3000 if os.environ.get("FULL") else 400)
    args = parser.parse_args()
    source = SHARED / "hf-daily" / "papers.jsonl"
    lines = [line for line in source.read_text().splitlines() if '"abstract": "' in line]
    folder = Path(tempfile.mkdtemp(prefix="dp-bench-embed-"))
    try:
        part = folder / "papers.jsonl"
        part.write_text("\n".join(lines[: args.papers]) + "\n")
        env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(folder / "data")}
        run = lambda *a: subprocess.run([str(BIN / "dailypapers"), *a], env=env,  # noqa: E731
                                        capture_output=True, text=True)  # fmt: skip
        run("ingest", "hf-daily", str(part))
        start = time.perf_counter()
        done = run("index")
        command_s = time.perf_counter() - start
        if "embedded" not in done.stdout:
            raise SystemExit(f"dailypapers index failed:\n{done.stdout}\n{done.stderr}")
        embedded = int(done.stdout.split("embedded ")[1].split()[0])

        records = [r for r in read_path(part) if isinstance(r, PaperRecord)]
        docs = [SearchDoc(i, r.title, r.abstract) for i, r in enumerate(records)]
        embedder = MiniLMEmbedder()
        embed_docs(embedder, docs[:8])  # load the model
        start = time.perf_counter()
        for at in range(0, len(docs), EMBED_BATCH):  # the indexer's rounds
            embed_docs(embedder, docs[at : at + EMBED_BATCH])
        inner_s = time.perf_counter() - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    figures = {
        "papers": embedded,
        "threads": embedder.threads,
        "model": embedder.name,
        "index_command_s": round(command_s, 1),
        "index_command_papers_per_s": round(embedded / command_s, 1),
        "embedder_papers_per_s": round(len(docs) / inner_s, 1),
        "sentences_per_paper": round(sum(len(d.sentences) for d in docs) / len(docs), 1),
        "hours_per_million_papers": round(1_000_000 / (embedded / command_s) / 3600, 1),
    }
    f = figures
    print("| papers | `dailypapers index` papers/s | embedder alone papers/s | 1M papers |")
    print("|---|---|---|---|")
    print(f"| {embedded:,} | {f['index_command_papers_per_s']} | {f['embedder_papers_per_s']} | "
          f"{f['hours_per_million_papers']} h |")  # fmt: skip
    print(f"written to {write_result('embed', figures)}")


if __name__ == "__main__":
    main()
