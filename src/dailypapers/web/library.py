"""The reader's library on the web: save buttons on every card and paper page (plain forms,
made instant by app.js), the reading list, collections (public ones with a page, an Atom feed,
a JSON twin and citation downloads), notes; and the same under /api/ with a bearer token."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from dailypapers.community import library
from dailypapers.community.library import LibraryError
from dailypapers.community.markdown import render as render_markdown
from dailypapers.db.models import Collection, Paper, User
from dailypapers.papers.citations import Format
from dailypapers.papers.store import FeedItem
from dailypapers.web import citations, csrf
from dailypapers.web.deps import (
    MAX_ID,
    ApiPaper,
    ApiUser,
    CurrentUser,
    DbSession,
    PagePaper,
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
api = APIRouter(prefix="/api", tags=["library"])
CollectionId = Annotated[int, Path(ge=1, le=MAX_ID, description="A collection's id")]
NameForm = Annotated[str, Form(max_length=200)]
StateQ = Annotated[Literal["all", "unread", "read"], Query()]


def _refused(exc: LibraryError) -> HTTPException:
    return HTTPException(400, str(exc))


def _own(session: Session, collection_id: int, user: User) -> Collection:
    try:
        return library.own_collection(session, collection_id, user)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


def _visible(session: Session, collection_id: int, user: User | None) -> Collection:
    try:
        return library.find_collection(session, collection_id, user)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


def _done(request: Request, fallback: str, **answer: object) -> Response:
    """JSON to fetch(), else back to the page the form was on."""
    if wants_json(request):
        return JSONResponse(answer)
    return RedirectResponse(back_to(request.headers.get("referer", ""), fallback), 303)


def _sign_in_first(request: Request, paper: Paper) -> Response:
    if wants_json(request):
        raise HTTPException(401, "Sign in to save papers.")
    return RedirectResponse(f"/login?next=/papers/{paper.arxiv_id}", status_code=303)


# -- forms from pages --------------------------------------------------------------------------


@forms.post("/papers/{arxiv_id:path}/save")
def save_form(
    request: Request,
    paper: PagePaper,
    user: CurrentUser,
    session: DbSession,
    action: Annotated[str, Form(max_length=10)] = "save",
) -> Response:
    """Save to (or, with action=unsave, take off) the reading list."""
    if user is None:
        return _sign_in_first(request, paper)
    try:
        if action == "unsave":
            library.unsave(session, user, paper)
        else:
            library.save(session, user, paper)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return _done(request, f"/papers/{paper.arxiv_id}", saved=action != "unsave")


@forms.post("/papers/{arxiv_id:path}/read")
def read_form(
    request: Request,
    paper: PagePaper,
    user: SignedIn,
    session: DbSession,
    action: Annotated[str, Form(max_length=10)] = "read",
) -> Response:
    """Mark read (or, with action=unread, unread); saves the paper if it was not saved."""
    try:
        library.mark_read(session, user, paper, read=action != "unread")
    except LibraryError as exc:
        raise _refused(exc) from exc
    return _done(request, "/reading-list", read=action != "unread")


@forms.post("/papers/{arxiv_id:path}/note")
def note_form(
    request: Request,
    paper: PagePaper,
    user: SignedIn,
    session: DbSession,
    body: Annotated[str, Form(max_length=library.MAX_NOTE)] = "",
) -> Response:
    try:
        library.set_note(session, user, paper, body)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return _done(request, f"/papers/{paper.arxiv_id}#note", saved=bool(body.strip()))


@forms.post("/papers/{arxiv_id:path}/collect")
def collect_form(
    request: Request,
    paper: PagePaper,
    user: SignedIn,
    session: DbSession,
    collection: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    new_name: Annotated[str, Form(max_length=200)] = "",
    action: Annotated[str, Form(max_length=10)] = "add",
) -> Response:
    """Add the paper to one of the reader's collections (or to a new one named `new_name`);
    action=remove takes it out."""
    try:
        if collection is None:
            if not new_name.strip():
                raise LibraryError("Choose a collection or name a new one.")
            target = library.create_collection(session, user, new_name)
        else:
            target = _own(session, collection, user)
        if action == "remove":
            library.remove_from(session, user, target, paper)
        else:
            library.add_to(session, user, target, paper)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return _done(request, f"/papers/{paper.arxiv_id}", collection=target.id)


@forms.post("/collections")
def create_form(
    user: SignedIn,
    session: DbSession,
    name: NameForm,
    description: Annotated[str, Form(max_length=2000)] = "",
    public: Annotated[bool, Form()] = False,
) -> Response:
    try:
        made = library.create_collection(session, user, name, public, description)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return RedirectResponse(f"/collections/{made.id}", status_code=303)


@forms.post("/collections/{collection_id}/edit")
def edit_form(
    collection_id: CollectionId,
    user: SignedIn,
    session: DbSession,
    name: NameForm,
    description: Annotated[str, Form(max_length=2000)] = "",
    public: Annotated[bool, Form()] = False,
) -> Response:
    found = _own(session, collection_id, user)
    try:
        library.update_collection(session, user, found, name, public, description)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return RedirectResponse(f"/collections/{found.id}", status_code=303)


@forms.post("/collections/{collection_id}/delete")
def delete_form(collection_id: CollectionId, user: SignedIn, session: DbSession) -> Response:
    library.delete_collection(session, user, _own(session, collection_id, user))
    return RedirectResponse("/collections", status_code=303)


# -- pages -------------------------------------------------------------------------------------


@pages.get("/reading-list", response_class=HTMLResponse)
def reading_list_page(
    request: Request,
    user: SignedIn,
    session: DbSession,
    state: StateQ = "all",
    format: citations.FormatQ = None,
) -> Response:
    rows = library.reading_list(session, user, state)
    kind = citations.wanted(format)
    if kind is not None:
        return citations.download([p for p, _ in rows], kind, f"reading-list-{state}")
    return render(request, "reading_list.html", {"rows": rows, "state": state})


@pages.get("/collections", response_class=HTMLResponse)
def collections_page(request: Request, user: SignedIn, session: DbSession) -> Response:
    mine = library.collections_of(session, user)
    return render(request, "collections.html", {"collections": mine})


def _items(papers: list[tuple[Paper, dt.datetime]]) -> list[FeedItem]:
    """Collection papers as feed items (cards and feeds take those); the day is when added."""
    return [FeedItem(p, added.date(), added, None) for p, added in papers]


@pages.get("/collections/{collection_id}.atom", response_class=Response)
def collection_feed(
    request: Request, collection_id: CollectionId, user: CurrentUser, session: DbSession
) -> Response:
    found = _visible(session, collection_id, user)
    page_url = f"{request.app.state.settings.base_url}/collections/{found.id}"
    items = _items(library.collection_papers(session, found))
    return atom_response(request, items, found.name, page_url, f"{page_url}.atom")


def _citation_route(suffix: str, kind: Format) -> None:
    def download(collection_id: CollectionId, user: CurrentUser, session: DbSession) -> Response:
        found = _visible(session, collection_id, user)
        papers = [p for p, _ in library.collection_papers(session, found)]
        return citations.download(papers, kind, f"collection-{found.name}")

    pages.add_api_route(f"/collections/{{collection_id}}.{suffix}", download, methods=["GET"])


for _suffix, _kind in citations.SUFFIX_KINDS:
    _citation_route(_suffix, _kind)


# -- JSON --------------------------------------------------------------------------------------


class ReadingItemOut(BaseModel):
    paper: PaperOut
    addedAt: UtcTime
    readAt: UtcTime | None = None


class CollectionIn(BaseModel):
    name: Text = Field(min_length=1, max_length=library.NAME_LENGTH)
    description: Text = Field("", max_length=2000)
    public: bool = False


class CollectionPatch(BaseModel):
    name: Text | None = Field(None, min_length=1, max_length=library.NAME_LENGTH)
    description: Text | None = Field(None, max_length=2000)
    public: bool | None = None


class CollectionOut(BaseModel):
    id: int
    name: str
    description: str
    public: bool
    owner: str
    url: str = Field(description="Its page (readable by anyone when public)")
    createdAt: UtcTime
    updatedAt: UtcTime
    numPapers: int
    papers: list[PaperOut] | None = Field(None, description="Only when one collection is asked for")


class ReadIn(BaseModel):
    read: bool = False


def _collection_out(
    session: Session, found: Collection, size: int | None = None, with_papers: bool = False
) -> CollectionOut:
    owner = session.get(User, found.user_id)
    papers = library.collection_papers(session, found) if with_papers or size is None else None
    return CollectionOut(
        id=found.id,
        name=found.name,
        description=found.description,
        public=found.public,
        owner=owner.username if owner else "",
        url=f"/collections/{found.id}",
        createdAt=found.created_at,
        updatedAt=found.updated_at,
        numPapers=size if size is not None else len(papers or []),
        papers=[PaperOut.of(p) for p, _ in papers] if with_papers and papers is not None else None,
    )


@pages.get("/collections/{collection_id}.json", response_model=CollectionOut)
def collection_json(
    collection_id: CollectionId, user: CurrentUser, session: DbSession
) -> CollectionOut:
    """A public collection (or one's own) as JSON, papers in Hugging Face's shape."""
    return _collection_out(session, _visible(session, collection_id, user), with_papers=True)


@api.get("/reading-list", response_model=list[ReadingItemOut])
def api_reading_list(
    user: ApiUser, session: DbSession, state: StateQ = "all"
) -> list[ReadingItemOut]:
    """Your reading list, newest save first. Needs `Authorization: Bearer TOKEN`."""
    return [
        ReadingItemOut(paper=PaperOut.of(p), addedAt=i.added_at, readAt=i.read_at)
        for p, i in library.reading_list(session, user, state)
    ]


@api.put("/reading-list/{arxiv_id:path}", response_model=ReadingItemOut)
def api_save(
    paper: ApiPaper, user: ApiUser, session: DbSession, body: ReadIn | None = None
) -> ReadingItemOut:
    """Save a paper to your reading list, read or unread (idempotent)."""
    try:
        item = library.mark_read(session, user, paper, read=bool(body and body.read))
    except LibraryError as exc:
        raise _refused(exc) from exc
    return ReadingItemOut(paper=PaperOut.of(paper), addedAt=item.added_at, readAt=item.read_at)


@api.delete("/reading-list/{arxiv_id:path}", status_code=204)
def api_unsave(paper: ApiPaper, user: ApiUser, session: DbSession) -> Response:
    """Take a paper off your reading list (idempotent)."""
    library.unsave(session, user, paper)
    return Response(status_code=204)


@api.get("/collections", response_model=list[CollectionOut])
def api_collections(user: ApiUser, session: DbSession) -> list[CollectionOut]:
    """Your collections, most recently changed first."""
    return [_collection_out(session, c, n) for c, n in library.collections_of(session, user)]


@api.post("/collections", response_model=CollectionOut, status_code=201)
def api_create(body: CollectionIn, user: ApiUser, session: DbSession) -> CollectionOut:
    try:
        made = library.create_collection(session, user, body.name, body.public, body.description)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return _collection_out(session, made, 0)


@api.get("/collections/{collection_id}", response_model=CollectionOut)
def api_collection(collection_id: CollectionId, user: ApiUser, session: DbSession) -> CollectionOut:
    """One of your collections, or anyone's public one, with its papers."""
    return _collection_out(session, _visible(session, collection_id, user), with_papers=True)


@api.patch("/collections/{collection_id}", response_model=CollectionOut)
def api_update(
    collection_id: CollectionId, body: CollectionPatch, user: ApiUser, session: DbSession
) -> CollectionOut:
    found = _own(session, collection_id, user)
    try:
        library.update_collection(session, user, found, body.name, body.public, body.description)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return _collection_out(session, found)


@api.delete("/collections/{collection_id}", status_code=204)
def api_delete(collection_id: CollectionId, user: ApiUser, session: DbSession) -> Response:
    library.delete_collection(session, user, _own(session, collection_id, user))
    return Response(status_code=204)


@api.put("/collections/{collection_id}/papers/{arxiv_id:path}", response_model=CollectionOut)
def api_add(
    collection_id: CollectionId, paper: ApiPaper, user: ApiUser, session: DbSession
) -> CollectionOut:
    """Add a paper to one of your collections (idempotent)."""
    found = _own(session, collection_id, user)
    try:
        library.add_to(session, user, found, paper)
    except LibraryError as exc:
        raise _refused(exc) from exc
    return _collection_out(session, found)


@api.delete("/collections/{collection_id}/papers/{arxiv_id:path}", response_model=CollectionOut)
def api_remove(
    collection_id: CollectionId, paper: ApiPaper, user: ApiUser, session: DbSession
) -> CollectionOut:
    """Take a paper out of one of your collections (idempotent)."""
    found = _own(session, collection_id, user)
    library.remove_from(session, user, found, paper)
    return _collection_out(session, found)


# after every /collections/{id}.suffix route: this one would take "5.json" as an id
@pages.get("/collections/{collection_id}", response_class=HTMLResponse)
def collection_page(
    request: Request,
    collection_id: CollectionId,
    user: CurrentUser,
    session: DbSession,
    format: citations.FormatQ = None,
) -> Response:
    found = _visible(session, collection_id, user)
    papers = library.collection_papers(session, found)
    kind = citations.wanted(format)
    if kind is not None:
        return citations.download([p for p, _ in papers], kind, f"collection-{found.name}")
    owner = session.get(User, found.user_id)
    mine = user is not None and user.id == found.user_id
    ids = [p.id for p, _ in papers]
    context = {
        **card_marks(session, user, ids),
        "collection": found,
        "owner": owner.username if owner else "",
        "mine": mine,
        "items": _items(papers),
        "description_html": render_markdown(found.description) if found.description else "",
    }
    return render(request, "collection.html", context)
