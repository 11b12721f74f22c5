"""JSON API of the daily feed and of one paper, in Hugging Face's shapes so existing scripts
work. Search, similar papers, votes and subscriptions have their JSON next to their pages
(web/search.py, web/community.py, web/digest.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from dailypapers.papers.periods import Period, all_time, parse_period
from dailypapers.papers.services import parse_category, period_items, resolve_period
from dailypapers.web.deps import ApiPaper, Papers
from dailypapers.web.schemas import DailyPaperOut, ErrorOut, PaperDetailOut, PaperOut

router = APIRouter(prefix="/api", tags=["api"])
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
# the API's names for the store's orders
API_SORTS = {"publishedAt": "date", "upvotes": "upvotes", "trending": "trending"}


@router.get("/daily_papers", response_model=list[DailyPaperOut], responses=ERRORS)
def daily_papers(
    request: Request,
    response: Response,
    store: Papers,
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
    submitter: Annotated[
        str | None, Query(max_length=100, description="Only papers this handle submitted")
    ] = None,
) -> list[DailyPaperOut]:
    """Papers of one feed day, ISO week or month (default: the latest day with papers; with
    `submitter` alone, everything they submitted, newest first). A full page carries a
    `Link: <...>; rel="next"` header to the next one."""
    category = parse_category(category)
    if submitter and not (date or week or month):
        period: Period | None = all_time()
    else:
        period = resolve_period(store, parse_period(date, week, month), category)
    if period is None:
        return []
    items = period_items(
        store, period, sort=API_SORTS[sort], limit=limit, offset=p * limit, category=category,
        submitter=submitter,
    )  # fmt: skip
    if len(items) == limit:
        response.headers["Link"] = f'<{request.url.include_query_params(p=p + 1)}>; rel="next"'
    return [DailyPaperOut.of(item) for item in items]


@router.get("/papers/{arxiv_id:path}", response_model=PaperDetailOut, responses=ERRORS)
def paper(paper: ApiPaper) -> PaperDetailOut:
    """One paper by arXiv id (a version suffix such as v2 is ignored)."""
    entry = paper.feed_entries[0] if paper.feed_entries else None
    out = PaperOut.of(
        paper,
        entry.submitted_at if entry else None,
        entry.submitted_by if entry else None,
        entry.submitter_name if entry else None,
    )
    return PaperDetailOut(**out.model_dump(by_alias=True))
