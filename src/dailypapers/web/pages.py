"""The feed's HTML pages: a day, week or month, trending, and one paper. Their JSON twins are
web/api.py (`/api/daily_papers`, `/api/papers/{id}`) and web/feeds.py (Atom/RSS)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from sqlalchemy.orm import Session

from dailypapers.community import comments, library
from dailypapers.community.markdown import render as render_markdown
from dailypapers.community.store import CommunityStore
from dailypapers.db.models import Paper, ReadingItem, User
from dailypapers.papers.charts import papers_per_day_svg, upvote_strip_svg
from dailypapers.papers.citations import Format
from dailypapers.papers.periods import parse_period, period_containing
from dailypapers.papers.records import web_url
from dailypapers.papers.services import (
    SORTS,
    FeedPage,
    PaperDetail,
    feed_page,
    paper_detail,
    parse_category,
    resolve_period,
    trending,
)
from dailypapers.papers.store import PaperStore
from dailypapers.web import citations
from dailypapers.web.cards import SharedCards, render_shared
from dailypapers.web.csrf import csrf_token
from dailypapers.web.deps import CurrentUser, PagePaper, Papers, render

router = APIRouter(include_in_schema=False)
FAVICON = Path(__file__).parent / "static" / "favicon.ico"


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it at the root whatever the page says."""
    headers = {"Cache-Control": "public, max-age=604800"}
    return FileResponse(FAVICON, media_type="image/x-icon", headers=headers)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: Papers, user: CurrentUser) -> Response:
    return _feed(request, store, user)


@router.get("/papers", response_class=HTMLResponse)
def papers(
    request: Request,
    store: Papers,
    user: CurrentUser,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    sort: str = "upvotes",
    view: Annotated[Literal["date", "week", "month"] | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    format: citations.FormatQ = None,
) -> Response:
    category = parse_category(category)
    kind = citations.wanted(format)
    if view and not (date or week or month):
        # "the latest week/month": the period holding the latest day with papers
        latest = store.latest_feed_date(category)
        if latest:
            period = period_containing(view, latest)
            suffix = f"&category={category}" if category else ""
            return RedirectResponse(f"/papers?{period.kind}={period.key}{suffix}", 302)
    if kind is not None:
        return _cite_period(store, kind, date, week, month, sort, category)
    return _feed(request, store, user, date, week, month, page, sort, category)


def _cite_period(
    store: PaperStore,
    kind: Format,
    date: str | None,
    week: str | None,
    month: str | None,
    sort: str,
    category: str | None,
) -> Response:
    """Every paper of the period (up to citations.LIST_LIMIT) in the page's order, as citations."""
    period = resolve_period(store, parse_period(date, week, month), category)
    if period is None:
        raise HTTPException(404, "No papers here yet.")
    items = store.feed(
        period.start, period.end, sort=sort if sort in SORTS else "upvotes",
        limit=citations.LIST_LIMIT, category=category,
    )  # fmt: skip
    stem = f"daily-papers-{period.key}" + (f"-{category}" if category else "")
    return citations.download([i.paper for i in items], kind, stem)


def _feed(
    request: Request,
    store: PaperStore,
    user: User | None,
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    page: int = 1,
    sort: str = "upvotes",
    category: str | None = None,
) -> Response:
    wanted = parse_period(date, week, month)
    if user is None:  # the whole page is kept by the anonymous cache
        period = resolve_period(store, wanted, category)
    else:  # "today" is the same for every reader for a few seconds
        shelf = request.app.state.shared_cards
        period_key = ("period", date, week, month, category)
        period = shelf.get(period_key, lambda: resolve_period(store, wanted, category))
    if period is None:
        return render(request, "empty.html", {"category": category})
    if sort not in SORTS:
        sort = "upvotes"
    size = request.app.state.settings.page_size
    cat_q = f"&category={category}" if category else ""

    def compute() -> tuple[FeedPage, str]:
        feed = feed_page(
            store, period, sort=sort, limit=size, offset=(page - 1) * size, category=category
        )
        chart = ""
        if period.kind != "date":
            link = f"/papers?{cat_q[1:]}&date=" if category else "/papers?date="
            chart = papers_per_day_svg(period.days(), feed.per_day, link=link)
        return feed, chart

    context: dict[str, Any] = {"cat_q": cat_q, "sort": sort, "page": page}
    if user is None:  # the whole page is kept by the anonymous cache (web/middleware.py)
        feed, chart = compute()
        ids = [i.paper.id for i in feed.items]
        context |= card_marks(store.session, user, ids)
    else:  # the cards are shared by signed-in readers; only their buttons are theirs
        templates = request.app.state.templates

        def shared() -> SharedCards:
            feed, chart = compute()
            return render_shared(templates.env, feed, chart, {"request": request, **context})

        key = ("cards", period.kind, period.key, sort, page, size, category)
        cards: SharedCards = shelf.get(key, shared)
        feed, chart = cards.feed, cards.chart
        voted, saved, votes = library.card_state(store.session, user, cards.paper_ids)
        context["cards_html"] = cards.fill(voted, saved, votes, csrf_token(request))
    context |= {"feed": feed, "chart": chart, "pages": max(1, -(-feed.total // size))}
    return render(request, "feed.html", context)


@router.get("/papers/trending", response_class=HTMLResponse)
def trending_page(request: Request, store: Papers, user: CurrentUser) -> Response:
    page = trending(store)
    ids = [i.paper.id for i in page.items] if page else []
    return render(request, "trending.html", {**card_marks(store.session, user, ids), "feed": page})


def card_marks(session: Session, user: User | None, paper_ids: list[int]) -> dict[str, Any]:
    """What cards show beside each paper: the reader's pressed vote and save buttons (comment
    counts are on the papers themselves)."""
    return {
        "voted": voted_ids(session, user, paper_ids),
        "saved": library.saved_ids(session, user, paper_ids),
    }


def voted_ids(session: Session, user: User | None, paper_ids: list[int]) -> set[int]:
    """Which of these papers the signed-in reader has upvoted (to show the button pressed)."""
    if user is None or not paper_ids:
        return set()
    return CommunityStore(session).voted_ids(user, paper_ids)


@router.get("/papers/{arxiv_id:path}.md", response_class=PlainTextResponse)
def paper_markdown(request: Request, found: PagePaper, store: Papers) -> Response:
    """The paper as Markdown (what `huggingface_hub`'s `read_paper` and agents read)."""
    detail = paper_detail(store, found)
    text = paper_as_markdown(detail, request.app.state.settings.base_url)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


def _line(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def paper_as_markdown(detail: PaperDetail, base_url: str) -> str:
    paper = detail.paper
    code, project = web_url(paper.github_repo), web_url(paper.project_page)
    facts = [
        _line(f"**Authors:** {', '.join(paper.author_names)}" if paper.author_names else ""),
        _line(
            f"**Published on arXiv:** {paper.published_at:%Y-%m-%d}" if paper.published_at else "",
            f"**On the daily feed:** {detail.feed_dates[0]}" if detail.feed_dates else "",
            f"**Submitted by:** {detail.submitted_by}" if detail.submitted_by else "",
        ),
        _line(f"**Organization:** {paper.organization}" if paper.organization else ""),
        _line(
            f"**arXiv:** https://arxiv.org/abs/{paper.arxiv_id}",
            f"**PDF:** https://arxiv.org/pdf/{paper.arxiv_id}",
            f"**Code:** {code}" if code else "",
            f"**Project page:** {project}" if project else "",
        ),
        _line(
            f"**Upvotes:** {paper.votes}",
            f"**Comments:** {paper.comments_total}",
            f"**Categories:** {paper.categories}" if paper.categories else "",
        ),
        _line(f"**Here:** {base_url}/papers/{paper.arxiv_id}"),
    ]
    body = "\n".join(f"{fact}  " for fact in facts if fact)  # two spaces: a Markdown line break
    return f"# {paper.title}\n\n{body}\n\n## Abstract\n\n{paper.abstract or ''}\n"


@router.get("/papers/{arxiv_id:path}", response_class=HTMLResponse)
def paper(request: Request, found: PagePaper, store: Papers, user: CurrentUser) -> Response:
    detail = paper_detail(store, found)
    similar, similar_mode = request.app.state.search.service.similar(detail.paper.id, 8)
    context = {
        "d": detail,
        **card_marks(store.session, user, [detail.paper.id]),
        "lib": _library_box(store.session, user, found),
        "thread": comments.thread(store.session, detail.paper.id, user),
        "strip": upvote_strip_svg(detail.day_upvotes, detail.paper.arxiv_id),
        "similar": similar,
        "similar_mode": similar_mode,
    }
    return render(request, "paper.html", context)


def _library_box(session: Session, user: User | None, paper: Paper) -> dict[str, Any] | None:
    """What the paper page's library box shows the signed-in reader: read state, their
    collections (and which hold the paper), their note."""
    if user is None:
        return None
    item = session.get(ReadingItem, (user.id, paper.id))
    note = library.note(session, user, paper)
    return {
        "read": item is not None and item.read_at is not None,
        "collections": library.collections_of(session, user),
        "holding": library.collections_holding(session, user, paper),
        "note": note.body if note else "",
        "note_html": render_markdown(note.body) if note else "",
    }
