"""All of arXiv on one machine, vectors: a 1M-paper instance served by `dailypapers serve` with
2 workers, semantic search through the memory-mapped HNSW graph (search/mapped.py).

The corpus: 1M snapshot lines (the real head recombined, as bench/ingest.py) imported with
`dailypapers ingest arxiv-snapshot`; their vectors are made from the real vectors of the demo
set: each is normalise(a + 0.5 b + noise) of two random real paper vectors a and b and Gaussian
noise of norm 0.4, so neighbourhoods look like real ones (clusters of related papers) without
embedding a million abstracts. Vectors only (no sentence vectors): the hybrid re-rank then uses
each paper's own vector, which costs the same lookups.

Reported: the `dailypapers index --vectors` build time, `serve` time to first answer, RSS and
PSS of each worker after the queries, hybrid p50/p99 over HTTP (query embedding included) for
real titles as queries (three passes, each pass's p50 shown: this machine's speed drifts), and
vector recall@10 of the graph against exact search.

    python bench/vectors.py                 # 1,000,000 papers (about 40 minutes)
    python bench/vectors.py --papers 200000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, percentiles, write_result  # noqa: E402

from dailypapers.config import Settings  # noqa: E402
from dailypapers.db.engine import make_engine, make_sessionmaker  # noqa: E402
from dailypapers.demo import DEMO_EMBEDDINGS  # noqa: E402
from dailypapers.search.embeddings import MODEL_NAME  # noqa: E402
from dailypapers.search.mapped import MappedVectors  # noqa: E402
from dailypapers.search.runtime import stored_vectors  # noqa: E402
from ingest import synthesise  # noqa: E402
from web import free_port, stop  # noqa: E402

BIN = Path(sys.executable).parent
TARGET = {"rss_mb": 1024, "ready_s": 5, "p50_ms": 40, "p99_ms": 100, "recall@10": 0.95}


def corpus(n: int, seed: int = 0) -> np.ndarray:
    with np.load(DEMO_EMBEDDINGS) as data:
        real = data["vectors"].astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        end = min(start + 100_000, n)
        a = real[rng.integers(0, len(real), end - start)]
        b = real[rng.integers(0, len(real), end - start)]
        noise = rng.standard_normal(a.shape).astype(np.float32)
        noise *= 0.4 / np.linalg.norm(noise, axis=1, keepdims=True)
        v = a + 0.5 * b + noise
        out[start:end] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def store_vectors(db: Path, vectors: np.ndarray) -> None:
    """One paper_embeddings row per paper, as `dailypapers index` writes them."""
    with sqlite3.connect(db) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM papers ORDER BY id")]
        rows = ((pid, MODEL_NAME, "bench", vectors[i].tobytes()) for i, pid in enumerate(ids))
        conn.executemany(
            "INSERT INTO paper_embeddings (paper_id, model, text_hash, vector) VALUES (?,?,?,?)",
            rows,
        )


def memory(pid: int) -> dict[str, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            fields[name.lower() + "_mb"] = round(int(rest.split()[0]) / 1024, 1)
    return fields


def workers_of(server: subprocess.Popen) -> list[int]:
    """The worker processes under `dailypapers serve` (uvicorn's supervisor forks them)."""
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True)
    pids = [int(p) for p in found.stdout.split()]
    return [p for p in pids if memory(p).get("rss_mb", 0) > 50]  # not a resource tracker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the queries")
    parser.add_argument("--keep", type=Path, help="keep (or reuse) the instance in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dp-bench-vectors-"))
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ, "DAILYPAPERS_DATA_DIR": str(folder / "data"),
        "DAILYPAPERS_ENV": "production", "DAILYPAPERS_SECRET_KEY": "bench-" + "x" * 40,
        "DAILYPAPERS_BASE_URL": "https://papers.example.org",
        "DAILYPAPERS_SEARCH_WORKER": "false", "DAILYPAPERS_SCHEDULER": "false",
        "DAILYPAPERS_CACHE_SECONDS": "0",
    }  # fmt: skip
    figures: dict[str, object] = {"papers": args.papers}
    vectors = corpus(args.papers)
    db = folder / "data" / "dailypapers.db"
    try:
        if not db.exists():
            lines = folder / "snapshot.jsonl"
            synthesise(lines, args.papers)
            t0 = time.perf_counter()
            command = [str(BIN / "dailypapers"), "ingest", "arxiv-snapshot", str(lines)]
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"ingest failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
            figures["ingest_s"] = round(time.perf_counter() - t0, 1)
            store_vectors(db, vectors)
        graph = folder / "data" / "search" / "vectors-v1"
        if not list(graph.glob("*.usearch")):
            t0 = time.perf_counter()
            subprocess.run([str(BIN / "dailypapers"), "index", "--vectors"], env=env,
                           capture_output=True)  # fmt: skip
            figures["graph_build_s"] = round(time.perf_counter() - t0, 1)
            print(f"built: graph {figures['graph_build_s']} s", flush=True)
        figures["graph_mb"] = round(sum(p.stat().st_size for p in graph.glob("*.usearch"))
                                    / 2**20, 1)  # fmt: skip

        # recall@10 of the graph against exact search, for real titles' vectors
        titles = [json.loads(line)["title"] for line in
                  (SHARED / "hf-daily" / "papers.jsonl").open()][-args.queries:]  # fmt: skip
        from dailypapers.search.embeddings import MiniLMEmbedder

        queries = MiniLMEmbedder().embed(titles)
        settings = Settings(data_dir=folder / "data", env="test", search_worker=False)
        sessions = make_sessionmaker(make_engine(settings))  # exact scores, as `serve` reads them
        mapped = MappedVectors(graph, vectors.shape[1], MODEL_NAME,
                               stored_vectors(sessions, MODEL_NAME))  # fmt: skip
        with sqlite3.connect(db) as conn:
            ids = np.array([r[0] for r in conn.execute("SELECT id FROM papers ORDER BY id")])
        hits = 0
        for q in queries:
            exact = ids[np.argpartition(-(vectors @ q), 10)[:10]]
            hits += len(set(exact.tolist()) & {k for k, _ in mapped.search(q, 10)})
        figures["recall@10"] = round(hits / (10 * len(queries)), 4)
        del mapped, vectors

        # serve: time to first answer, hybrid latency over HTTP, memory per worker
        port = free_port()
        t0 = time.perf_counter()
        server = subprocess.Popen(
            [str(BIN / "dailypapers"), "serve", "--port", str(port), "--workers", "2"],
            env=env, stdout=(folder / "serve.log").open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:
                    if time.perf_counter() - t0 > 120:
                        raise SystemExit(f"no answer; see {folder}/serve.log") from None
                    time.sleep(0.05)
            figures["serve_ready_s"] = round(time.perf_counter() - t0, 2)
            samples: list[float] = []
            rounds = []
            for _ in range(args.rounds):  # this machine's speed drifts by a third within minutes
                times = []
                for title in titles:
                    url = (f"http://127.0.0.1:{port}/api/papers/search?"
                           + urllib.parse.urlencode({"q": title, "mode": "hybrid"}))  # fmt: skip
                    start = time.perf_counter()
                    with urllib.request.urlopen(url, timeout=30) as answer:
                        assert answer.status == 200
                        answer.read()
                    times.append(time.perf_counter() - start)
                times = times[10:] if not samples else times  # the very first ones warm up
                rounds.append(percentiles(times)["p50_ms"])
                samples += times
            figures["hybrid_http"] = percentiles(samples)
            figures["hybrid_p50_ms_per_round"] = rounds
            figures["workers"] = [memory(p) for p in workers_of(server)]
        finally:
            stop(server)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    figures["target"] = TARGET
    print(json.dumps(figures, indent=2))
    print(f"written to {write_result('vectors', figures)}")


if __name__ == "__main__":
    main()
