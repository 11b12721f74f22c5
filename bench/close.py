"""What the "close match" cut costs in quality: SciFact (read from ../shared, never copied here)
through the production search at several cuts (0 is none; service.CLOSE is the one in use), on
one index. Also the best cosine of a few nonsense queries, which the cut is there to catch.

    python bench/close.py            # SciFact train split (809 claims)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, write_result  # noqa: E402

from dailypapers.search import service  # noqa: E402
from dailypapers.search.evaluation import beir_instance, score_modes  # noqa: E402

NONSENSE = ("qwzxkjvbnm florbix", "asdf qwer", "xkcd", "blorf snark wug", "zzzz yyyy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="train")
    args = parser.parse_args()
    started = time.perf_counter()
    figures: dict[str, object] = {"split": args.split, "close": service.CLOSE}
    with beir_instance(SHARED / "scifact", args.split) as built:
        figures["docs"], figures["queries"] = built.docs, len(built.qrels)
        cut = service.CLOSE
        for threshold in sorted({0.0, 0.2, 0.25, 0.3, cut}):
            service.CLOSE = threshold
            label = f"close={threshold}"
            figures[label], _ = score_modes(built, ("semantic", "hybrid"))
            print(label, figures[label], flush=True)
        service.CLOSE = cut
        nonsense = {}
        for query in NONSENSE:
            result = built.runtime.service.search(query, mode="hybrid")
            nonsense[query] = {"nearest_only": result.nearest_only, "hits": len(result.hits)}
        figures["nonsense"] = nonsense
    figures["seconds"] = round(time.perf_counter() - started, 1)
    print(figures)
    print("written to", write_result("close", figures))


if __name__ == "__main__":
    main()
