"""The "For you" ranking on real behaviour and what it costs per reader.

Quality: `dailypapers eval recommend` on ../shared/data/hf-daily/papers.jsonl (docs/ranking.md).
Cost: the ranking of one reader's 14-day pool (300 papers, about what the daily feed offers in
two weeks) from 50 liked papers, timed over readers drawn from the same archive; the figure a
digest run for 100,000 readers would multiply.

    python bench/recommend.py
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, write_result  # noqa: E402

from dailypapers.papers.recommend_eval import (  # noqa: E402
    SVM_VOCABULARY,
    evaluate,
    read_archive,
    report,
)
from dailypapers.ranking.recommend import Scorer, Tfidf, recommend  # noqa: E402


def main() -> None:
    rows, problems = read_archive(SHARED / "hf-daily" / "papers.jsonl")
    started = time.perf_counter()
    figures: dict[str, object] = report(evaluate(rows))
    figures["eval_s"] = round(time.perf_counter() - started, 1)
    figures["skipped_lines"] = len(problems)
    items = [r.item for r in rows]
    # the page: one reader, the vocabulary fitted on their pool and papers
    page = []
    for start in range(0, 3000, 150):  # 20 readers: 50 liked papers, a pool of the next 300
        liked, pool = items[start : start + 50], items[start + 50 : start + 350]
        began = time.perf_counter()
        recommend(liked, pool)
        page.append((time.perf_counter() - began) * 1000)
    figures["page_ms_p50"] = round(statistics.median(page), 1)
    # a digest run: one pool (two weeks, 300 papers) for many readers, each with 50 liked
    # papers drawn from a history of 5,000 (so liked papers repeat across readers, as they do)
    pool, history = items[-300:], items[:5000]
    began = time.perf_counter()
    scorer = Scorer(pool, Tfidf([i.text for i in [*pool, *history]], SVM_VOCABULARY))
    figures["digest_setup_s"] = round(time.perf_counter() - began, 2)
    rng = random.Random(0)
    readers = [rng.sample(history, 50) for _ in range(2000)]
    began = time.perf_counter()
    for liked in readers:
        scorer.score(liked)
    per_reader = (time.perf_counter() - began) * 1000 / len(readers)
    figures["digest_per_reader_ms"] = round(per_reader, 2)
    figures["digest_100k_readers_min_one_core"] = round(per_reader * 100_000 / 60_000, 1)
    print(figures, flush=True)
    write_result("recommend", figures)


if __name__ == "__main__":
    main()
