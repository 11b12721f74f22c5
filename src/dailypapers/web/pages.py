"""Server-rendered HTML pages. Each has a JSON twin under /api."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from dailypapers.community import comments
from dailypapers.community.store import CommunityStore
from dailypapers.ingest.records import RecordError, split_arxiv_id
from dailypapers.papers.charts import papers_per_day_svg, upvote_strip_svg
from dailypapers.papers.periods import parse_period, period_containing
from dailypapers.papers.services import (
    SORTS,
    feed_page,
    paper_detail,
    parse_category,
    resolve_period,
    trending,
)
from dailypapers.papers.store import PaperStore
from dailypapers.web.deps import paper_store

router = APIRouter(include_in_schema=False)
Store = Annotated[PaperStore, Depends(paper_store)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: Store) -> Response:
    return _feed(request, store)


@router.get("/papers", response_class=HTMLResponse)
def papers(
    request: Request,
    store: Store,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    sort: str = "upvotes",
    view: Annotated[Literal["date", "week", "month"] | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    category = parse_category(category)
    if view and not (date or week or month):
        # "the latest week/month": the period holding the latest day with papers
        latest = store.latest_feed_date(category)
        if latest:
            period = period_containing(view, latest)
            suffix = f"&category={category}" if category else ""
            return RedirectResponse(f"/papers?{period.kind}={period.key}{suffix}", 302)
    return _feed(request, store, date, week, month, page, sort, category)


def _feed(
    request: Request,
    store: PaperStore,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    page: int = 1,
    sort: str = "upvotes",
    category: str | None = None,
) -> Response:
    templates = request.app.state.templates
    period = resolve_period(store, parse_period(date, week, month), category)
    if period is None:
        return templates.TemplateResponse(request, "empty.html", {"category": category})
    if sort not in SORTS:
        sort = "upvotes"
    size = request.app.state.settings.page_size
    feed = feed_page(
        store, period, sort=sort, limit=size, offset=(page - 1) * size, category=category
    )
    cat_q = f"&category={category}" if category else ""
    chart = ""
    if period.kind != "date":
        link = f"/papers?{cat_q[1:]}&date=" if category else "/papers?date="
        chart = papers_per_day_svg(period.days(), feed.per_day, link=link)
    return templates.TemplateResponse(
        request,
        "feed.html",
        {
            "feed": feed,
            "voted": voted_ids(request, [i.paper.id for i in feed.items], store.session),
            "ccounts": comments.count_visible(store.session, [i.paper.id for i in feed.items]),
            "chart": chart,
            "cat_q": cat_q,
            "sort": sort,
            "page": page,
            "pages": max(1, -(-feed.total // size)),
        },
    )


@router.get("/papers/trending", response_class=HTMLResponse)
def trending_page(request: Request, store: Store) -> Response:
    page = trending(store)
    ids = [i.paper.id for i in page.items] if page else []
    context = {
        "feed": page,
        "voted": voted_ids(request, ids, store.session),
        "ccounts": comments.count_visible(store.session, ids),
    }
    return request.app.state.templates.TemplateResponse(request, "trending.html", context)


def _thread(request: Request, paper_id: int) -> list:  # type: ignore[type-arg]
    with request.app.state.sessions() as session:
        found = comments.thread(session, paper_id, getattr(request.state, "user", None))
        for comment, replies in found:
            session.expunge(comment)
            for reply in replies:
                session.expunge(reply)
        return found


def voted_ids(request: Request, paper_ids: list[int], session: Session | None = None) -> set[int]:
    """Which of these papers the signed-in reader has upvoted (to show the button pressed); on the
    request's own session when it has one (one connection per request, not two)."""
    user = getattr(request.state, "user", None)
    if user is None or not paper_ids:
        return set()
    if session is not None:
        return CommunityStore(session).voted_ids(user, paper_ids)
    with request.app.state.sessions() as own:
        return CommunityStore(own).voted_ids(user, paper_ids)


@router.get("/papers/{arxiv_id:path}", response_class=HTMLResponse)
def paper(request: Request, arxiv_id: str, store: Store) -> Response:
    try:
        canonical, _ = split_arxiv_id(arxiv_id)
    except RecordError as exc:
        raise HTTPException(404, f"no paper here: {exc}") from exc
    detail = paper_detail(store, canonical)
    if detail is None:
        raise HTTPException(404, f"Paper {canonical} is not in this instance yet.")
    similar, similar_mode = request.app.state.search.service.similar(detail.paper.id, 8)
    return request.app.state.templates.TemplateResponse(
        request,
        "paper.html",
        {
            "d": detail,
            "voted": voted_ids(request, [detail.paper.id], store.session),
            "thread": _thread(request, detail.paper.id),
            "strip": upvote_strip_svg(detail.day_upvotes, canonical),
            "similar": similar,
            "similar_mode": similar_mode,
        },
    )
