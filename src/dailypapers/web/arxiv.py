"""New on arXiv: the papers arXiv published on a day, per category, apart from the curated feed;
each one a click away from being submitted to it. HTML page and its JSON twin."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from dailypapers.papers.periods import parse_day
from dailypapers.papers.services import Listing, arxiv_listing, parse_category
from dailypapers.web.deps import Papers, render
from dailypapers.web.schemas import ListedPaperOut, PaperOut

router = APIRouter()
PAGE = 50
DayQ = Annotated[str | None, Query(description="arXiv's publication day, YYYY-MM-DD")]
CategoryQ = Annotated[str | None, Query(max_length=40, description="arXiv category, e.g. cs.CL")]


def _listing(store: Papers, date: str | None, category: str | None, page: int) -> Listing:
    day = parse_day(date) if date else None
    offset = (page - 1) * PAGE
    return arxiv_listing(store, day, parse_category(category), limit=PAGE, offset=offset)


@router.get("/arxiv", response_class=HTMLResponse, include_in_schema=False)
def arxiv_page(
    request: Request,
    store: Papers,
    date: DayQ = None,
    category: CategoryQ = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    listing = _listing(store, date, category, page)
    context: dict[str, Any] = {
        "listing": listing,
        "page": page,
        "pages": max(1, -(-listing.total // PAGE)),
        "max_age": request.app.state.settings.submission_max_age_days,
        "today": dt.datetime.now(dt.UTC).date(),
    }
    return render(request, "arxiv.html", context)


@router.get("/api/arxiv", response_model=list[ListedPaperOut], tags=["api"])
def arxiv_api(
    store: Papers,
    date: DayQ = None,
    category: CategoryQ = None,
    p: Annotated[int, Query(ge=0, le=10_000, description="Page, from 0")] = 0,
) -> list[ListedPaperOut]:
    """New on arXiv: papers by the day arXiv published them (default: the latest day), with
    `onFeed` saying whether each is on the curated daily feed."""
    listing = _listing(store, date, category, p + 1)
    return [
        ListedPaperOut(paper=PaperOut.of(paper), onFeed=paper.id in listing.on_feed)
        for paper in listing.papers
    ]
