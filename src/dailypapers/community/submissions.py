"""Submitting a paper to today's feed, with the rules stated on the submit page."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from dailypapers.db.models import Paper, User, utcnow
from dailypapers.papers.records import PaperRecord, RecordError, split_arxiv_id
from dailypapers.papers.store import PaperStore

Fetch = Callable[[str], PaperRecord | None]


class SubmissionError(ValueError):
    """Why a paper cannot be submitted; safe to show."""


def submit(
    session: Session,
    user: User,
    text: str,
    fetch: Fetch,
    *,
    max_age_days: int,
    today: dt.date | None = None,
) -> Paper:
    """Put a paper (arXiv id or URL) on today's feed, credited to `user`."""
    today = today or utcnow().date()
    try:
        arxiv_id, _ = split_arxiv_id(text.strip().removesuffix("/"))
    except RecordError:
        raise SubmissionError(
            f"Give an arXiv id or link, e.g. 2405.15738; got {text[:60]!r}."
        ) from None
    store = PaperStore(session)
    paper = store.get(arxiv_id)
    if paper is not None and paper.feed_entries:
        day = paper.feed_entries[0].feed_date
        raise SubmissionError(f"{arxiv_id} is already on the feed of {day:%d %B %Y}.")
    record = None if paper is not None else fetch(arxiv_id)
    published = (
        paper.published_at if paper is not None else (record.published_at if record else None)
    )
    if paper is None and record is None:
        raise SubmissionError(f"arXiv has no paper {arxiv_id}.")
    if published is None or (today - published.date()).days > max_age_days:
        raise SubmissionError(
            f"Only papers published on arXiv in the last {max_age_days} days can be submitted."
        )
    if record is not None:
        store.upsert([dataclasses.replace(record, feed_date=None)])
    paper = store.get(arxiv_id)
    assert paper is not None
    store.add_submission(paper, today, user.username, user.id)
    return paper
