"""JSON API: the twin of every HTML page, in Hugging Face's shapes so existing scripts work."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from dailypapers.ingest.records import RecordError, split_arxiv_id
from dailypapers.papers.periods import parse_period
from dailypapers.papers.services import feed_page, parse_category, resolve_period
from dailypapers.papers.store import PaperStore
from dailypapers.ranking.trending import sort_trending
from dailypapers.web.deps import paper_store
from dailypapers.web.schemas import DailyPaperOut, ErrorOut, PaperOut

router = APIRouter(prefix="/api", tags=["api"])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
MAX_PERIOD_PAPERS = 5000

Store = Annotated[PaperStore, Depends(paper_store)]


@router.get("/daily_papers", response_model=list[DailyPaperOut], responses=ERRORS)
def daily_papers(
    store: Store,
    date: Annotated[str | None, Query(description="A feed day, YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(description="An ISO week, YYYY-Www")] = None,
    month: Annotated[str | None, Query(description="A month, YYYY-MM")] = None,
    p: Annotated[int, Query(ge=0, le=10_000, description="Page number, from 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="Papers per page")] = 50,
    sort: Annotated[
        Literal["publishedAt", "trending", "upvotes"],
        Query(description="publishedAt: newest first; trending: rising; upvotes: most voted"),
    ] = "publishedAt",
    category: Annotated[
        str | None, Query(max_length=40, description="arXiv category, e.g. cs.CL")
    ] = None,
) -> list[DailyPaperOut]:
    """Papers of one feed day, ISO week or month (default: the latest day with papers)."""
    category = parse_category(category)
    period = resolve_period(store, parse_period(date, week, month), category)
    if period is None:
        return []
    offset = p * limit
    if sort == "trending":
        every = feed_page(
            store, period, sort="upvotes", limit=MAX_PERIOD_PAPERS, category=category
        ).items
        items = sort_trending(every, period.end)[offset : offset + limit]
    else:
        store_sort = "date" if sort == "publishedAt" else "upvotes"
        items = feed_page(
            store, period, sort=store_sort, limit=limit, offset=offset, category=category
        ).items
    return [DailyPaperOut.of(item) for item in items]


@router.get("/papers/{arxiv_id:path}", response_model=PaperOut, responses=ERRORS)
def paper(arxiv_id: str, store: Store) -> PaperOut:
    """One paper by arXiv id (a version suffix such as v2 is ignored)."""
    try:
        canonical, _ = split_arxiv_id(arxiv_id)
    except RecordError as exc:
        raise HTTPException(400, str(exc)) from exc
    found = store.get(canonical)
    if found is None:
        raise HTTPException(404, f"paper {canonical} is not in this instance")
    first = found.feed_entries[0].submitted_at if found.feed_entries else None
    return PaperOut.of(found, first)
