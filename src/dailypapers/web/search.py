"""Search page, search API (Hugging Face's shape plus the mode that ran), feed, similar papers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from feedgen.feed import FeedGenerator

from dailypapers.papers.hf import hf_fields
from dailypapers.papers.periods import parse_day
from dailypapers.papers.services import categories_note, parse_category
from dailypapers.papers.store import PaperStore
from dailypapers.search.highlight import highlight, snippet
from dailypapers.search.service import Hit, Mode, SearchResult, SearchService, Sort
from dailypapers.search.store import Filters
from dailypapers.web import citations
from dailypapers.web.deps import ApiPaper, CurrentUser, DbSession, Papers, render
from dailypapers.web.feeds import atom_bytes, xml_safe
from dailypapers.web.pages import card_marks
from dailypapers.web.schemas import PaperOut

router = APIRouter()

Q = Annotated[str, Query(description='Words, and "quoted phrases"', max_length=20_000)]
ModeQ = Annotated[Mode, Query(description="lexical, semantic or hybrid (default)")]
SortQ = Annotated[Sort, Query(description="relevance (default), date or upvotes")]
DateQ = Annotated[str | None, Query(description="YYYY-MM-DD, on the arXiv publication date")]
CategoryQ = Annotated[str | None, Query(description="arXiv category, e.g. cs.CL", max_length=40)]
UpvotesQ = Annotated[int | None, Query(ge=0, le=1_000_000, description="Minimum upvotes")]


async def search_service(request: Request) -> SearchService:
    service: SearchService = request.app.state.search.service
    return service


Service = Annotated[SearchService, Depends(search_service)]


def make_filters(
    date_from: str | None, date_to: str | None, category: str | None, min_upvotes: int | None
) -> Filters:
    return Filters(
        _day(date_from, "from"), _day(date_to, "to"), parse_category(category), min_upvotes
    )


def _day(value: str | None, name: str) -> dt.date | None:
    return parse_day(value, name) if value else None


def _item(hit: Hit, result: SearchResult) -> dict[str, Any]:
    """Hugging Face's search item (the paper, and its daily-papers keys) plus how it matched."""
    kept = hf_fields(hit.paper)
    paper = PaperOut.of(hit.paper, kept=kept).model_dump(mode="json")
    words = result.query.highlight_words
    return {
        "paper": paper,
        "title": hit.paper.title,
        "summary": hit.paper.abstract,
        "publishedAt": paper["publishedAt"],
        "mediaUrls": kept.get("mediaUrls"),
        "thumbnail": kept.get("thumbnail"),
        "submittedBy": kept.get("submittedBy") or paper["submittedOnDailyBy"],
        "organization": paper["organization"],
        "isAuthorParticipating": bool(kept.get("isAuthorParticipating")),
        "numComments": hit.paper.comments_total,
        "searchMode": result.used,
        "score": round(hit.score, 6),
        "highlight": {
            "title": highlight(hit.paper.title, words),
            "summary": snippet(hit.paper.abstract, words),
        },
    }


def _headers(result: SearchResult) -> dict[str, str]:
    headers = {"X-Search-Mode": result.used, "X-Total-Count": str(result.total)}
    if result.notes:
        headers["X-Search-Notes"] = " ".join(result.notes).encode("ascii", "replace").decode()
    return headers


@router.get("/api/papers/search", tags=["search"])
def api_search(
    service: Service,
    store: Papers,
    q: Q = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    p: Annotated[int, Query(ge=0, le=1000, description="Page, from 0")] = 0,
    mode: ModeQ = "hybrid",
    sort: SortQ = "relevance",
    date_from: Annotated[DateQ, Query(alias="from")] = None,
    date_to: Annotated[DateQ, Query(alias="to")] = None,
    category: CategoryQ = None,
    min_upvotes: UpvotesQ = None,
) -> JSONResponse:
    """Search papers. Each item says which mode ran (`searchMode`): hybrid falls back to
    lexical while embeddings are missing, and `X-Search-Notes` says why."""
    filters = make_filters(date_from, date_to, category, min_upvotes)
    result = service.search(q, mode=mode, limit=limit, offset=p * limit, filters=filters, sort=sort)
    _explain_category(store, filters, result)
    return JSONResponse([_item(h, result) for h in result.hits], headers=_headers(result))


def _explain_category(store: PaperStore, filters: Filters, result: SearchResult) -> None:
    """Nothing found within a category: say when the category is why."""
    if filters.category and not result.hits:
        note = categories_note(store, [filters.category])
        if note:
            result.notes.append(note)


@router.get("/api/papers/{arxiv_id:path}/similar", tags=["search"])
def api_similar(
    paper: ApiPaper, service: Service, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> JSONResponse:
    """Papers similar in meaning to this one."""
    hits, used = service.similar(paper.id, limit)
    items = [
        {**PaperOut.of(h.paper).model_dump(mode="json"), "score": round(h.score, 6)} for h in hits
    ]
    return JSONResponse(items, headers={"X-Search-Mode": used})


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    service: Service,
    session: DbSession,
    user: CurrentUser,
    q: Q = "",
    mode: ModeQ = "hybrid",
    sort: SortQ = "relevance",
    date_from: Annotated[DateQ, Query(alias="from")] = None,
    date_to: Annotated[DateQ, Query(alias="to")] = None,
    category: CategoryQ = None,
    min_upvotes: UpvotesQ = None,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
    format: citations.FormatQ = None,
) -> Response:
    filters = make_filters(date_from, date_to, category, min_upvotes)
    kind = citations.wanted(format)
    if kind is not None:  # the results as citations, best first (at most 100)
        found = service.search(q, mode=mode, limit=100, filters=filters, sort=sort)
        return citations.download([h.paper for h in found.hits], kind, f"search-{q[:40]}")
    size = 20
    result = service.search(
        q, mode=mode, limit=size, offset=(page - 1) * size, filters=filters, sort=sort
    )
    _explain_category(PaperStore(session), filters, result)
    if result.arxiv_id and result.hits:  # an id or a link in the box opens that paper
        return RedirectResponse(f"/papers/{result.arxiv_id}", status_code=303)
    words = result.query.highlight_words
    rows = [
        (h, highlight(h.paper.title, words), snippet(h.paper.abstract, words)) for h in result.hits
    ]
    params = {
        "q": q, "mode": mode, "sort": sort, "from": date_from or "", "to": date_to or "",
        "category": category or "", "min_upvotes": "" if min_upvotes is None else min_upvotes,
    }  # fmt: skip
    return render(
        request,
        "search.html",
        {
            "result": result,
            "rows": rows,
            **card_marks(session, user, [h.paper.id for h in result.hits]),
            "params": params,
            "page": page,
            "pages": max(1, -(-result.total // size)),
        },
    )


@router.get("/feeds/search.atom", response_class=Response, tags=["feeds"])
def search_feed(
    request: Request, service: Service, q: Q = "", mode: ModeQ = "hybrid",
    sort: SortQ = "relevance",
    date_from: Annotated[DateQ, Query(alias="from")] = None,
    date_to: Annotated[DateQ, Query(alias="to")] = None,
    category: CategoryQ = None,
    min_upvotes: UpvotesQ = None,
) -> Response:  # fmt: skip
    """A search as a feed, with the search page's filters (what a saved search links to)."""
    settings = request.app.state.settings
    filters = make_filters(date_from, date_to, category, min_upvotes)
    result = service.search(q, mode=mode, limit=50, sort=sort, filters=filters)
    feed = FeedGenerator()
    base = settings.base_url
    feed.id(f"{base}/search?q={quote(q)}")
    feed.title(xml_safe(f"{settings.site_name} — search: {q[:100]}"))
    feed.link(href=f"{base}/feeds/search.atom?q={quote(q)}", rel="self")
    feed.link(href=f"{base}/search?q={quote(q)}", rel="alternate")
    # the newest paper's date, not the clock: an unchanged search keeps its ETag
    dates = [(h.paper.published_at or h.paper.created_at) for h in result.hits]
    feed.updated(max(dates, default=dt.datetime(1970, 1, 1)).replace(tzinfo=dt.UTC))
    for hit in reversed(result.hits):
        paper = hit.paper
        url = f"{base}/papers/{paper.arxiv_id}"
        entry = feed.add_entry()
        entry.id(url)
        entry.title(xml_safe(paper.title))
        entry.link(href=url)
        entry.summary(xml_safe(paper.abstract or paper.title))
        for name in paper.author_names or ["Unknown"]:
            entry.author(name=xml_safe(name))
        when = (paper.published_at or paper.created_at).replace(tzinfo=dt.UTC)
        entry.published(when)
        entry.updated(when)
    return Response(atom_bytes(feed), media_type="application/atom+xml")
