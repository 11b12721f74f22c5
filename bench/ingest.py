"""Snapshot ingest throughput: the real Kaggle/Cornell head (200 lines) recombined into N lines
with distinct ids. First what a user runs, `dailypapers ingest arxiv-snapshot FILE` on an empty
instance (papers stored and made searchable by words), timed from the outside, three times (this
machine's speed drifts by a third within an hour: each run and the median are reported); then
the library call alone (the store, no lexical index), a rerun of it, memory and database size.

    python bench/ingest.py              # quick: 100k lines
    FULL=1 python bench/ingest.py       # 1M lines (the issue's figure)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, rss_mb, write_result  # noqa: E402

from dailypapers.config import Settings  # noqa: E402
from dailypapers.db import migrate  # noqa: E402
from dailypapers.db.engine import make_engine, make_sessionmaker  # noqa: E402
from dailypapers.ingest.pipeline import ingest  # noqa: E402
from dailypapers.ingest.snapshot import read_snapshot  # noqa: E402

HEAD = SHARED / "arxiv-snapshot" / "arxiv-metadata-oai-snapshot.head200.jsonl"


def synthesise(path: Path, lines: int) -> None:
    rows = [json.loads(line) for line in HEAD.read_text().splitlines()]
    with path.open("w") as out:
        for i in range(lines):
            row = dict(rows[i % len(rows)])
            # new-style ids, distinct per line: yymm.nnnnn
            block = i // 99_999
            row["id"] = f"{7 + block % 90:02d}{1 + block // 90 % 12:02d}.{i % 99_999 + 1:05d}"
            out.write(json.dumps(row) + "\n")


def command_seconds(source: Path, data: Path) -> tuple[float, float]:
    """Wall time of the command, and the CPU time of it and its follower (user + system):
    their ratio says how busy it kept the cores."""
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(data)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dailypapers"), "ingest", "arxiv-snapshot",
         str(source)], env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"the command failed:\n{done.stdout}\n{done.stderr}")
    shutil.rmtree(data, ignore_errors=True)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--lines", type=int, default=1_000_000 if os.environ.get("FULL") == "1" else 100_000
    )
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3, help="runs of the command")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dp-bench-ingest-"))
    try:
        source = folder / "snapshot.jsonl"
        synthesise(source, args.lines)
        timed_runs = [command_seconds(source, folder / f"command-{n}") for n in range(args.runs)]
        runs = [wall for wall, _ in timed_runs]
        command_s = statistics.median(runs)
        settings = Settings(data_dir=folder, search_worker=False, env="test")
        engine = make_engine(settings, bulk=True)  # as the command
        migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        start = time.perf_counter()
        report = ingest(
            sessions, (item for _, item in read_snapshot(source)), batch_size=args.batch
        )
        first = time.perf_counter() - start
        start = time.perf_counter()
        again = ingest(sessions, (item for _, item in read_snapshot(source)), batch_size=args.batch)
        second = time.perf_counter() - start
        rss = rss_mb()
        engine.dispose()  # the last connection checkpoints the log into the file
        figures = {
            "lines": args.lines,
            "batch": args.batch,
            "command": {"seconds": round(command_s, 1),
                        "papers_per_s": round(args.lines / command_s),
                        "runs_papers_per_s": [round(args.lines / r) for r in runs],
                        "runs_cpu_s": [round(cpu, 1) for _, cpu in timed_runs],
                        "runs_cores_busy": [round(cpu / wall, 2) for wall, cpu in timed_runs]},
            "first_run": {"seconds": round(first, 1), "papers_per_s": round(report.new / first),
                          "new": report.new},
            "rerun": {"seconds": round(second, 1), "lines_per_s": round(args.lines / second),
                      "new": again.new, "updated": again.result.updated},
            "rss_mb": rss,
            "sqlite_mb": round((folder / "dailypapers.db").stat().st_size / 2**20, 1),
        }  # fmt: skip
        print(f"snapshot ingest, {args.lines:,} lines into SQLite (batch {args.batch}):")
        print(
            f"  `dailypapers ingest arxiv-snapshot`, lexical index included: "
            f"{figures['command']['papers_per_s']:,} papers/s ({command_s:.1f} s), median of "
            f"{len(runs)} runs: "
            + ", ".join(f"{n:,}" for n in figures["command"]["runs_papers_per_s"])
        )
        print(
            "  CPU time of each run (the command and its follower): "
            + ", ".join(f"{cpu:.1f} s ({cpu / wall:.2f} cores)" for wall, cpu in timed_runs)
        )
        print("  the library call alone:")
        print(f"  first run: {figures['first_run']['papers_per_s']:,} papers/s ({first:.1f} s)")
        print(
            f"  rerun (all unchanged): {figures['rerun']['lines_per_s']:,} lines/s ({second:.1f} s)"
        )
        print(f"  RSS {figures['rss_mb']} MB, database {figures['sqlite_mb']} MB")
        print(f"written to {write_result('ingest', figures)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
