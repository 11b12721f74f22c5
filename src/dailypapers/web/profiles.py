"""Organizations and submitters as Hugging Face names them: a page of their papers, newest feed
day first, with the avatar and full name Hugging Face sent, and an Atom feed of it. A name with
no paper here is a 404, as Hugging Face answers for an unknown organization or user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from dailypapers.community import follows
from dailypapers.community.store import CommunityStore
from dailypapers.papers import hf
from dailypapers.papers.periods import all_time
from dailypapers.papers.store import FeedItem, PaperStore
from dailypapers.web.deps import CurrentUser, Papers, render
from dailypapers.web.feeds import atom_response
from dailypapers.web.pages import card_marks

router = APIRouter(include_in_schema=False)
PAGE = 50
PageNumber = Annotated[int, Query(ge=1, le=1000)]


@dataclass(frozen=True)
class Kind:
    path: str  # URL prefix: /organizations or /submitters
    noun: str
    lead: str  # the page's sub line, before the Atom link

    def papers(self, store: PaperStore, name: str, page: int = 1) -> list[FeedItem]:
        every = all_time()
        key = "organization" if self.path == "/organizations" else "submitter"
        items = store.feed(
            every.start, every.end, sort="date", limit=PAGE, offset=(page - 1) * PAGE,
            **{key: name},
        )  # fmt: skip
        if not items and page == 1:
            raise HTTPException(404, f"No {self.noun} {name[:100]!r} here.")
        return items

    def person(self, items: list[FeedItem]) -> dict[str, Any]:
        """The organization or submitter object Hugging Face sent with the newest paper."""
        for item in items:
            kept = hf.hf_fields(item.paper)
            found = hf.organization(kept) if self.noun == "organization" else hf.submitter(kept)
            if found:
                return found
        return {}

    def fullname(self, items: list[FeedItem], name: str) -> str:
        person = self.person(items)
        if person.get("fullname"):
            return str(person["fullname"])
        if self.noun == "organization":
            return items[0].paper.organization or name
        return next((i.submitted_by for i in items if i.submitted_by), name)


ORGANIZATIONS = Kind("/organizations", "organization", "Papers of")
SUBMITTERS = Kind("/submitters", "submitter", "Papers submitted to the daily feed by")


def _page(
    kind: Kind, request: Request, name: str, store: PaperStore, user: Any, page: int
) -> Response:
    items = kind.papers(store, name, page)
    person = kind.person(items)
    remote = request.app.state.settings.remote_images
    local = CommunityStore(store.session).user_by_name(name) if kind is SUBMITTERS else None
    context = {
        **card_marks(store.session, user, [i.paper.id for i in items]),
        "kind": kind,
        "name": name,
        "fullname": kind.fullname(items, name) if items else name,
        "avatar": hf.avatar(person) if remote else None,
        "local_user": local.username if local is not None else None,
        "following": kind is ORGANIZATIONS
        and follows.is_following(store.session, user, "organization", name),
        "items": items,
        "page": page,
        "more": len(items) == PAGE,
    }
    return render(request, "profile.html", context)


def _feed(kind: Kind, request: Request, name: str, store: PaperStore) -> Response:
    items = kind.papers(store, name)
    page_url = f"{request.app.state.settings.base_url}{kind.path}/{name}"
    return atom_response(
        request, items, kind.fullname(items, name), page_url, f"{page_url}/feed.atom"
    )


@router.get("/organizations/{name}", response_class=HTMLResponse)
def organization_page(
    request: Request, name: str, store: Papers, user: CurrentUser, page: PageNumber = 1
) -> Response:
    return _page(ORGANIZATIONS, request, name, store, user, page)


@router.get("/organizations/{name}/feed.atom", response_class=Response)
def organization_feed(request: Request, name: str, store: Papers) -> Response:
    return _feed(ORGANIZATIONS, request, name, store)


@router.get("/submitters/{name}", response_class=HTMLResponse)
def submitter_page(
    request: Request, name: str, store: Papers, user: CurrentUser, page: PageNumber = 1
) -> Response:
    return _page(SUBMITTERS, request, name, store, user, page)


@router.get("/submitters/{name}/feed.atom", response_class=Response)
def submitter_feed(request: Request, name: str, store: Papers) -> Response:
    return _feed(SUBMITTERS, request, name, store)
