"""The merge rules, directly: no database, just records and a paper object."""

from __future__ import annotations

import datetime as dt

from dailypapers.db.models import Paper, PaperAuthor
from dailypapers.papers.merge import (
    PAPER_FIELDS,
    apply_record,
    compare_observed,
    merge_duplicates,
)
from tests.factories import record

MON = dt.datetime(2026, 6, 8, 23, 59)
TUE = dt.datetime(2026, 6, 9, 23, 59)


def paper_from(rec) -> Paper:  # noqa: ANN001
    paper = Paper(
        arxiv_id=rec.arxiv_id,
        version=rec.version,
        upvotes=rec.upvotes or 0,
        num_comments=rec.num_comments or 0,
        observed_at=rec.observed_at,
        **{name: getattr(rec, name) for name in PAPER_FIELDS},
    )
    paper.authors = [PaperAuthor(position=i, name=n) for i, n in enumerate(rec.authors)]
    return paper


def test_compare_observed_treats_unknown_as_now():
    assert compare_observed(TUE, MON) == 1
    assert compare_observed(MON, TUE) == -1
    assert compare_observed(MON, MON) == 0
    assert compare_observed(None, TUE) == 1


def test_merge_duplicates_keeps_the_newest_observation_per_paper():
    old = record(arxiv_id="2606.00001", title="old", observed_at=MON)
    new = record(arxiv_id="2606.00001", title="new", observed_at=TUE)
    other = record(arxiv_id="2606.00002")
    merged = merge_duplicates([new, other, old])
    assert sorted(r.title for r in merged) == sorted(["new", other.title])


def test_newer_observation_overwrites_and_says_what_changed():
    paper = paper_from(record(title="Draft", upvotes=3, observed_at=MON))
    newer = record(arxiv_id=paper.arxiv_id, title="Final", upvotes=9, observed_at=TUE)
    changed = apply_record(paper, newer)
    assert paper.title == "Final" and paper.upvotes == 9 and paper.observed_at == TUE
    assert {"title", "counts"} <= changed


def test_older_observation_only_fills_gaps_and_never_lowers_counts():
    paper = paper_from(record(title="Final", upvotes=9, observed_at=TUE, github_repo=None))
    older = record(
        arxiv_id=paper.arxiv_id, title="Draft", upvotes=3, observed_at=MON,
        github_repo="https://github.com/a/b",
    )  # fmt: skip
    changed = apply_record(paper, older)
    assert paper.title == "Final" and paper.upvotes == 9
    assert paper.github_repo == "https://github.com/a/b" and changed == {"github_repo"}


def test_equally_old_observation_can_raise_counts_only():
    paper = paper_from(record(upvotes=5, num_comments=1, observed_at=MON))
    same_day = record(arxiv_id=paper.arxiv_id, upvotes=7, num_comments=0, observed_at=MON)
    assert apply_record(paper, same_day) == {"counts"}
    assert (paper.upvotes, paper.num_comments) == (7, 1)


def test_a_later_arxiv_version_wins_whatever_the_observation_time():
    paper = paper_from(record(title="v1 title", version=1, observed_at=TUE))
    v2 = record(arxiv_id=paper.arxiv_id, title="v2 title", version=2, observed_at=MON)
    changed = apply_record(paper, v2)
    assert paper.title == "v2 title" and paper.version == 2 and "version" in changed


def test_applying_the_same_record_twice_changes_nothing_the_second_time():
    paper = paper_from(record(observed_at=MON))
    newer = record(arxiv_id=paper.arxiv_id, title="Renamed", authors=("Grace Hopper",),
                   observed_at=TUE)  # fmt: skip
    assert "authors" in apply_record(paper, newer)
    assert apply_record(paper, newer) == set()
    assert paper.author_names == ["Grace Hopper"]
