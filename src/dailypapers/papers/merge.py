"""How a source record updates a stored paper: pure rules, no database (tested directly).

A newer observation overwrites; an older or equally old one only fills what is missing (and, for
equally old ones, raises counts), so importing any files in any order, any number of times,
converges to the same row (docs/decisions.md, "Newer observations win").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields, replace

from dailypapers.db.models import Paper, PaperAuthor
from dailypapers.papers.authors import name_key
from dailypapers.papers.records import PaperRecord

TEXT_FIELDS = frozenset({"title", "abstract", "authors"})
PAPER_FIELDS = (
    "title",
    "abstract",
    "published_at",
    "github_repo",
    "github_stars",
    "project_page",
    "organization",
    "organization_name",
    "hf_fields",
    "primary_category",
    "categories",
    "arxiv_updated_at",
    "comments",
    "journal_ref",
    "doi",
)


def merge_duplicates(records: Sequence[PaperRecord]) -> list[PaperRecord]:
    """One record per arXiv id within a batch: the most recently observed wins; records observed
    at the same time (the archive and that day's response) fill each other's gaps, whichever
    comes first, as they would across batches."""
    latest: dict[str, PaperRecord] = {}
    for record in records:
        current = latest.get(record.arxiv_id)
        if current is None:
            latest[record.arxiv_id] = record
            continue
        order = compare_observed(record.observed_at, current.observed_at)
        if order > 0 or (order == 0 and record.observed_at is None):
            latest[record.arxiv_id] = record
        elif order == 0:
            latest[record.arxiv_id] = _together(current, record)
    return list(latest.values())


def _together(first: PaperRecord, second: PaperRecord) -> PaperRecord:
    """Two records as old as each other: `first`'s values, `second`'s where `first` has none,
    the higher counts (what apply_record does for an equally old observation)."""
    filled = {
        f.name: getattr(second, f.name)
        for f in fields(PaperRecord)
        if getattr(first, f.name) in (None, "", ())
        and getattr(second, f.name) not in (None, "", ())
    }
    for name in ("upvotes", "num_comments"):
        a, b = getattr(first, name), getattr(second, name)
        if a is not None and b is not None:
            filled[name] = max(a, b)
    return replace(first, **filled)


def is_newer(candidate: dt.datetime | None, stored: dt.datetime | None) -> bool:
    return compare_observed(candidate, stored) >= 0


def compare_observed(candidate: dt.datetime | None, stored: dt.datetime | None) -> int:
    """1 if `candidate` is a newer observation, 0 if as old, -1 if older.

    An unknown time counts as 'now' (a live fetch), so it is newer than anything stored.
    """
    if candidate is None or stored is None:
        return 1
    return (candidate > stored) - (candidate < stored)


def apply_record(paper: Paper, record: PaperRecord) -> set[str]:
    """Update a stored paper from a record; return the names of the fields that changed.

    A newer observation overwrites; an older or equally old one only fills what is missing
    (and, for equally old ones, raises counts), so importing any files in any order, any number
    of times, converges to the same row.
    """
    order = compare_observed(record.observed_at, paper.observed_at)
    if record.version and paper.version and record.version != paper.version:
        order = 1 if record.version > paper.version else -1  # arXiv versions decide
    changed: set[str] = set()
    for name in PAPER_FIELDS:
        value = getattr(record, name)
        current = getattr(paper, name)
        if value in (None, "") or current == value or (order <= 0 and current not in (None, "")):
            continue
        setattr(paper, name, value)
        changed.add(name)
    if record.version is not None and (paper.version or 0) < record.version:
        paper.version = record.version
        changed.add("version")
    new_authors = record.authors and tuple(paper.author_names) != record.authors
    if new_authors and (order > 0 or not paper.authors):
        _replace_authors(paper, record.authors)
        changed.add("authors")
    if _apply_counts(paper, record, order):
        changed.add("counts")
    if order > 0 and record.observed_at is not None:
        paper.observed_at = record.observed_at
    return changed


def _replace_authors(paper: Paper, names: tuple[str, ...]) -> None:
    # Edit rows in place: deleting and re-adding one (paper_id, position) in a flush collides.
    for author, name in zip(paper.authors, names, strict=False):
        author.name, author.name_key = name, name_key(name)
    del paper.authors[len(names) :]
    for position in range(len(paper.authors), len(names)):
        name = names[position]
        paper.authors.append(PaperAuthor(position=position, name=name, name_key=name_key(name)))


def _apply_counts(paper: Paper, record: PaperRecord, order: int) -> bool:
    """Newer observations set the counts; equally old ones can only raise them."""
    changed = False
    for name in ("upvotes", "num_comments"):
        value = getattr(record, name)
        current = getattr(paper, name)
        if value is None or value == current or order < 0 or (order == 0 and value < current):
            continue
        setattr(paper, name, value)
        changed = True
    return changed
