"""The "For you" ranking on real behaviour and what it costs per reader.

Quality: `dailypapers eval recommend` on ../shared/data/hf-daily/papers.jsonl (docs/ranking.md).
Cost: the ranking of one reader's 14-day pool (300 papers, about what the daily feed offers in
two weeks) from 50 liked papers, timed over readers drawn from the same archive; the figure a
digest run for 100,000 readers would multiply.

    python bench/recommend.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, write_result  # noqa: E402

from dailypapers.papers.recommend_eval import evaluate, read_archive, report  # noqa: E402
from dailypapers.ranking.recommend import recommend  # noqa: E402


def main() -> None:
    rows, problems = read_archive(SHARED / "hf-daily" / "papers.jsonl")
    started = time.perf_counter()
    figures: dict[str, object] = report(evaluate(rows))
    figures["eval_s"] = round(time.perf_counter() - started, 1)
    figures["skipped_lines"] = len(problems)
    items = [r.item for r in rows]
    timings = []
    for start in range(0, 3000, 150):  # 20 readers: 50 liked papers, a pool of the next 300
        liked, pool = items[start : start + 50], items[start + 50 : start + 350]
        began = time.perf_counter()
        recommend(liked, pool)
        timings.append((time.perf_counter() - began) * 1000)
    per_reader = statistics.median(timings)
    figures["per_reader_ms_p50"] = round(per_reader, 1)
    figures["readers_100k_min_one_core"] = round(per_reader * 100_000 / 60_000, 1)
    print(figures, flush=True)
    write_result("recommend", figures)


if __name__ == "__main__":
    main()
