"""Measuring "For you" on real behaviour: who submitted which paper to Hugging Face's daily feed.

For each submitter with at least MIN_SUBMISSIONS papers in an archive (papers.jsonl's form), the
earlier ones (all but the last quarter, at least 2 held out) stand for what the reader liked; the
pool is every paper of the days of their later submissions, and the later submissions are what
should come first. Each method ranks the pool; recall@10, recall@50 and nDCG@10 are averaged
over readers. Baselines: recency (newest submission first), popularity (upvotes), and
arxiv-sanity-lite's SVM on tf-idf (the reader's papers against a sample of the others before
the held-out days). Readers are also reported in two halves by a hash of their name: the
weights in ranking/recommend.py were chosen looking at half "a"; half "b" shows they hold.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dailypapers.papers.authors import name_key
from dailypapers.ranking import recommend as rec

MIN_SUBMISSIONS = 8
NEGATIVES = 2000  # the SVM's sample of other papers
SVM_VOCABULARY = 5000


@dataclass(frozen=True)
class Row:
    arxiv_id: str
    day: str
    at: str  # when it was submitted to the feed (ISO), for recency
    item: rec.Item
    submitter: str | None


def read_archive(path: Path) -> tuple[list[Row], list[str]]:
    """The archive's rows, and a message per line that could not be read (with its place)."""
    rows: list[Row] = []
    problems: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                item = rec.Item(
                    text=f"{data['title']}. {data.get('abstract') or ''}",
                    authors=tuple(k for k in (name_key(a) for a in data.get("authors") or []) if k),
                    organization=data.get("organization") or None,
                    upvotes=int(data.get("upvotes") or 0),
                )
                rows.append(
                    Row(
                        str(data["arxiv_id"]),
                        str(data["daily_date"]),
                        str(data.get("submitted_on_daily_at") or data["daily_date"]),
                        item,
                        data.get("submitted_by") or None,
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(f"{path}:{number}: {exc.__class__.__name__}: {exc}")
    return rows, problems


def dcg(relevant: Sequence[bool], k: int) -> float:
    return sum(1 / math.log2(i + 2) for i, hit in enumerate(relevant[:k]) if hit)


def metrics(ranked: Sequence[str], wanted: set[str]) -> dict[str, float]:
    hits = [a in wanted for a in ranked]
    ideal = dcg([True] * len(wanted), 10)
    return {
        "recall@10": sum(hits[:10]) / len(wanted),
        "recall@50": sum(hits[:50]) / len(wanted),
        "ndcg@10": dcg(hits, 10) / ideal if ideal else 0.0,
    }


def half(name: str) -> str:
    return "a" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "b"


Ranker = Callable[[list[Row], list[Row], list[Row]], Sequence[float]]


def evaluate(
    rows: Sequence[Row],
    weights: dict[str, float] | None = None,
    min_submissions: int = MIN_SUBMISSIONS,
) -> dict[str, Any]:
    """Every method's mean metrics over the readers, overall and per half."""
    unique = list({r.arxiv_id: r for r in rows}.values())
    by_day: dict[str, list[Row]] = {}
    for row in unique:
        by_day.setdefault(row.day, []).append(row)
    mine: dict[str, list[Row]] = {}
    for row in rows:
        if row.submitter:
            mine.setdefault(row.submitter, []).append(row)
    vectorizer = rec.Tfidf([r.item.text for r in unique], SVM_VOCABULARY)
    vectors = vectorizer.transform([r.item.text for r in unique])
    position = {r.arxiv_id: i for i, r in enumerate(unique)}
    rng = np.random.default_rng(0)

    def ours(liked: list[Row], pool: list[Row], _: list[Row]) -> Sequence[float]:
        scored = rec.recommend([r.item for r in liked], [r.item for r in pool], weights, vectorizer)
        return list(scored.scores)

    def svm(liked: list[Row], pool: list[Row], before: list[Row]) -> Sequence[float]:
        taken = {r.arxiv_id for r in liked}
        others = [r for r in before if r.arxiv_id not in taken]
        if len(others) > NEGATIVES:
            others = [others[i] for i in rng.choice(len(others), NEGATIVES, replace=False)]

        def rows_of(chosen: list[Row]) -> np.ndarray:
            return vectors[[position[r.arxiv_id] for r in chosen]]

        return list(rec.svm_scores(rows_of(liked), rows_of(others), rows_of(pool)))

    methods: dict[str, Ranker] = {
        "recency": lambda liked, pool, before: [_time(r.at) for r in pool],
        "popularity": lambda liked, pool, before: [float(r.item.upvotes) for r in pool],
        "svm": svm,
        "ours": ours,
    }
    results: dict[str, dict[str, list[dict[str, float]]]] = {m: {} for m in methods}
    readers = 0
    for name, submitted in sorted(mine.items()):
        submitted = sorted({r.arxiv_id: r for r in submitted}.values(), key=lambda r: r.at)
        if len(submitted) < min_submissions:
            continue
        held = max(2, len(submitted) // 4)
        liked, later = submitted[:-held], submitted[-held:]
        cut = later[0].day
        wanted = {r.arxiv_id for r in later}
        pool = [r for day in sorted({r.day for r in later}) for r in by_day[day]]
        before = [r for r in unique if r.day < cut]
        readers += 1
        for method, rank in methods.items():
            scores = rank(liked, pool, before)
            order = sorted(range(len(pool)), key=lambda i: (-scores[i], pool[i].arxiv_id))
            found = metrics([pool[i].arxiv_id for i in order], wanted)
            for group in ("all", half(name)):
                results[method].setdefault(group, []).append(found)
    return {"readers": readers, "results": {m: _means(r) for m, r in results.items()}}


def _time(value: str) -> float:
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _means(groups: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group, values in sorted(groups.items()):
        means = {k: round(float(np.mean([v[k] for v in values])), 4) for k in values[0]}
        out["overall" if group == "all" else f"half_{group}"] = {**means, "readers": len(values)}
    return out


def report(result: dict[str, Any]) -> dict[str, Any]:
    """The CLI's JSON: {"method": ..., "baselines": {...}, "readers": N}."""
    found = result["results"]
    return {
        "method": {"name": "tf-idf k-NN + authors + organization + popularity", **found["ours"]},
        "baselines": {k: v for k, v in found.items() if k != "ours"},
        "readers": result["readers"],
    }
