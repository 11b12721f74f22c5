"""Organizations as Hugging Face names them: a page of their papers, newest feed day first, and
an Atom feed of it. An organization with no paper here is a 404, as on Hugging Face."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from dailypapers.papers.periods import all_time
from dailypapers.papers.store import FeedItem, PaperStore
from dailypapers.web.deps import CurrentUser, Papers, render
from dailypapers.web.feeds import FeedNames, atom_bytes, build_feed
from dailypapers.web.pages import card_marks
from dailypapers.web.schemas import hf_fields

router = APIRouter(include_in_schema=False)
PAGE = 50
Name = Annotated[str, Query(max_length=100)]


def _papers(store: PaperStore, name: str, page: int = 1) -> list[FeedItem]:
    every = all_time()
    items = store.feed(
        every.start, every.end, sort="date", limit=PAGE, offset=(page - 1) * PAGE,
        organization=name,
    )  # fmt: skip
    if not items and page == 1:
        raise HTTPException(404, f"No organization {name[:100]!r} here.")
    return items


@router.get("/organizations/{name}", response_class=HTMLResponse)
def organization_page(
    request: Request,
    name: str,
    store: Papers,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    items = _papers(store, name, page)
    first = items[0].paper if items else None
    kept = hf_fields(first).get("organization") if first else None
    context = {
        **card_marks(store.session, user, [i.paper.id for i in items]),
        "name": name,
        "fullname": (kept or {}).get("fullname") or (first.organization if first else name),
        "items": items,
        "page": page,
        "more": len(items) == PAGE,
    }
    return render(request, "organization.html", context)


@router.get("/organizations/{name}/feed.atom", response_class=Response)
def organization_feed(request: Request, name: str, store: Papers) -> Response:
    items = _papers(store, name)
    settings = request.app.state.settings
    base = settings.base_url
    names = FeedNames(
        feed_id=f"{base}/organizations/{name}",
        title=f"{settings.site_name} — {items[0].paper.organization or name}",
        page_url=f"{base}/organizations/{name}",
        self_url=f"{base}/organizations/{name}/feed.atom",
    )
    return Response(
        atom_bytes(build_feed(settings, items, names)), media_type="application/atom+xml"
    )
