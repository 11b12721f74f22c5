"""Authors' pages, following authors and organizations, saved searches, the Following view
(page and private feed) and "For you": pages and forms, and the same under /api/."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from dailypapers.common.tokens import BadToken, make_token, read_token
from dailypapers.community import follows as following
from dailypapers.community import foryou
from dailypapers.community.follows import FollowError, Kind
from dailypapers.db.models import Paper, User
from dailypapers.papers.services import author_page
from dailypapers.papers.store import FeedItem
from dailypapers.web import citations, csrf
from dailypapers.web.deps import (
    MAX_ID,
    ApiUser,
    CurrentUser,
    DbSession,
    Papers,
    SignedIn,
    back_to,
    render,
    wants_json,
)
from dailypapers.web.feeds import atom_response
from dailypapers.web.pages import card_marks
from dailypapers.web.schemas import PaperOut, Text, UtcTime

forms = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.verify)])
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", tags=["following"])
KindForm = Annotated[Literal["author", "organization"], Form()]
NameForm = Annotated[str, Form(min_length=1, max_length=300)]
DaysQ = Annotated[int, Query(ge=1, le=90, description="How many days back to look")]


def _refused(exc: FollowError) -> HTTPException:
    return HTTPException(400, str(exc))


# -- authors -----------------------------------------------------------------------------------


@pages.get("/authors/{name:path}", response_class=HTMLResponse)
def author(
    request: Request,
    name: Annotated[str, Path(max_length=300)],
    store: Papers,
    user: CurrentUser,
    format: citations.FormatQ = None,
) -> Response:
    """Every paper by this name in any spelling ("K. He", "Kaiming He"), split when the
    co-authors say two people share it."""
    found = author_page(store, name)
    if not found.total:
        raise HTTPException(404, f"No papers by {name[:100]!r} here.")
    kind = citations.wanted(format)
    if kind is not None:
        papers = [p for g in found.groups for p in g.papers]
        return citations.download(papers, kind, f"author-{name}")
    ids = [p.id for g in found.groups for p in g.papers]
    context = {
        **card_marks(store.session, user, ids),
        "author": found,
        "following": following.is_following(store.session, user, "author", name),
        "groups": [(g.coauthors, [_item(p) for p in g.papers]) for g in found.groups],
    }
    return render(request, "author.html", context)


def _item(paper: Paper) -> FeedItem:
    """A paper as a card (the day it shows: its arXiv date, else when it was stored)."""
    return FeedItem(
        paper, (paper.published_at or paper.created_at).date(), paper.published_at, None
    )


# -- follow forms ------------------------------------------------------------------------------


@forms.post("/follow")
def follow_form(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kind: KindForm,
    name: NameForm,
    action: Annotated[str, Form(max_length=10)] = "follow",
) -> Response:
    back = back_to(request.headers.get("referer", ""), "/following")
    if user is None:
        if wants_json(request):
            raise HTTPException(401, "Sign in to follow.")
        return RedirectResponse(f"/login?next={back}", status_code=303)
    try:
        if action == "unfollow":
            following.unfollow(session, user, kind, name)
        else:
            following.follow(session, user, kind, name)
    except FollowError as exc:
        raise _refused(exc) from exc
    if wants_json(request):
        return JSONResponse({"following": action != "unfollow"})
    return RedirectResponse(back, status_code=303)


@forms.post("/searches")
def save_search_form(
    request: Request,
    user: SignedIn,
    session: DbSession,
    query: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Save the search whose query string (the search page's parameters) is `query`."""
    try:
        following.save_search(session, user, following.search_params(query))
    except FollowError as exc:
        raise _refused(exc) from exc
    return RedirectResponse(back_to(request.headers.get("referer", ""), "/following"), 303)


@forms.post("/searches/{search_id}/delete")
def delete_search_form(
    search_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: SignedIn, session: DbSession
) -> Response:
    following.delete_search(session, user, search_id)
    return RedirectResponse("/following", status_code=303)


# -- the Following view, its private feed, For you ----------------------------------------------


def feed_token(request: Request, user: User) -> str:
    """The Following feed's private link: signed for this reader and their current API token,
    so making a new API token also retires an old feed link."""
    reader = f"{user.id}-{(user.api_token_hash or 'none')[:12]}"
    return make_token(request.app.state.signing_key, "feed", reader)


@pages.get("/following", response_class=HTMLResponse)
def following_page(request: Request, user: SignedIn, session: DbSession) -> Response:
    follows = following.follows_of(session, user)
    found = following.followed_papers(session, follows, limit=100)
    items = [_item(f.paper) for f in found]
    context = {
        **card_marks(session, user, [f.paper.id for f in found]),
        "follows": follows,
        "searches": following.searches_of(session, user),
        "rows": list(zip(items, [f.reason for f in found], strict=True)),
        "feed_token": feed_token(request, user),
    }
    return render(request, "following.html", context)


@pages.get("/following.atom", response_class=Response)
def following_feed(
    request: Request, session: DbSession, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """The Following view as a feed; the link carries its own signed token (feed readers send
    no cookies)."""
    try:
        reader = read_token(request.app.state.signing_key, "feed", token)
        user_id = int(reader.split("-")[0])
    except (BadToken, ValueError) as exc:
        raise HTTPException(404, "This feed link is not valid (any more).") from exc
    user = session.get(User, user_id)
    if user is None or feed_token(request, user) != token or user.is_banned:
        raise HTTPException(404, "This feed link is not valid (any more).")
    found = following.followed_papers(session, following.follows_of(session, user), limit=100)
    items = [_item(f.paper) for f in found]
    base = request.app.state.settings.base_url
    return atom_response(
        request, items, f"following, for {user.username}", f"{base}/following",
        f"{base}/following.atom", feed_id=f"{base}/following/{user.id}",
    )  # fmt: skip


@pages.get("/for-you", response_class=HTMLResponse)
def for_you_page(
    request: Request, user: SignedIn, session: DbSession, days: DaysQ = foryou.DAYS
) -> Response:
    picks = foryou.for_you(session, user, days=days)
    items = [_item(p.paper) for p in picks]
    context = {
        **card_marks(session, user, [p.paper.id for p in picks]),
        "rows": list(zip(items, [p.reason for p in picks], strict=True)),
        "days": days,
    }
    return render(request, "for_you.html", context)


# -- JSON --------------------------------------------------------------------------------------


class FollowOut(BaseModel):
    kind: Kind
    name: str = Field(description="The name or handle as followed")
    key: str = Field(description="What matches papers: a name key, or the handle")
    createdAt: UtcTime


class SavedSearchIn(BaseModel):
    q: Text = Field(min_length=1, max_length=500)
    mode: Text | None = Field(None, max_length=20)
    sort: Text | None = Field(None, max_length=20)
    category: Text | None = Field(None, max_length=40)


class SavedSearchOut(BaseModel):
    id: int
    label: str
    query: str = Field(description="The search page's query string: /search?{query}")
    feed: str = Field(description="Its Atom feed")
    createdAt: UtcTime


class PickOut(BaseModel):
    paper: PaperOut
    reason: str = Field(description="Why, in one line")
    score: float | None = None


def _search_out(saved: object) -> SavedSearchOut:
    query = str(getattr(saved, "query", ""))
    return SavedSearchOut(
        id=int(getattr(saved, "id", 0)),
        label=str(getattr(saved, "label", "")),
        query=query,
        feed=f"/feeds/search.atom?{query}",
        createdAt=getattr(saved, "created_at", dt.datetime.min),
    )


@api.get("/follows", response_model=list[FollowOut])
def api_follows(user: ApiUser, session: DbSession) -> list[FollowOut]:
    """The authors and organizations you follow."""
    return [
        FollowOut(kind=f.kind, name=f.label, key=f.key, createdAt=f.created_at)
        for f in following.follows_of(session, user)
    ]


@api.put("/follows/{kind}/{name}", response_model=FollowOut)
def api_follow(
    kind: Kind, name: Annotated[str, Path(max_length=300)], user: ApiUser, session: DbSession
) -> FollowOut:
    """Follow an author (any spelling of their name) or an organization (its handle)."""
    try:
        made = following.follow(session, user, kind, name)
    except FollowError as exc:
        raise _refused(exc) from exc
    return FollowOut(kind=kind, name=made.label, key=made.key, createdAt=made.created_at)


@api.delete("/follows/{kind}/{name}", status_code=204)
def api_unfollow(
    kind: Kind, name: Annotated[str, Path(max_length=300)], user: ApiUser, session: DbSession
) -> Response:
    following.unfollow(session, user, kind, name)
    return Response(status_code=204)


@api.get("/following", response_model=list[PickOut])
def api_following(user: ApiUser, session: DbSession) -> list[PickOut]:
    """Papers of the authors and organizations you follow, newest first."""
    found = following.followed_papers(session, following.follows_of(session, user), limit=100)
    return [PickOut(paper=PaperOut.of(f.paper), reason=f.reason) for f in found]


@api.get("/saved-searches", response_model=list[SavedSearchOut])
def api_searches(user: ApiUser, session: DbSession) -> list[SavedSearchOut]:
    return [_search_out(s) for s in following.searches_of(session, user)]


@api.post("/saved-searches", response_model=SavedSearchOut, status_code=201)
def api_save_search(body: SavedSearchIn, user: ApiUser, session: DbSession) -> SavedSearchOut:
    """Save a search: its new results come in your digest and its feed."""
    params = {k: v for k, v in body.model_dump().items() if v}
    try:
        return _search_out(following.save_search(session, user, params))
    except FollowError as exc:
        raise _refused(exc) from exc


@api.delete("/saved-searches/{search_id}", status_code=204)
def api_delete_search(
    search_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: ApiUser, session: DbSession
) -> Response:
    following.delete_search(session, user, search_id)
    return Response(status_code=204)


@api.get("/for-you", response_model=list[PickOut])
def api_for_you(
    user: ApiUser,
    session: DbSession,
    days: DaysQ = foryou.DAYS,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[PickOut]:
    """Recent papers ranked for you, each with why (docs/ranking.md)."""
    picks = foryou.for_you(session, user, days=days, limit=limit)
    return [PickOut(paper=PaperOut.of(p.paper), reason=p.reason, score=p.score) for p in picks]
