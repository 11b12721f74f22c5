"""Request-scoped dependencies (as full-stack-fastapi-template's `api/deps.py`, warehouse's
`request.db`): one database session per request, committed once at the end or rolled back; the
signed-in reader; the API token's user; a paper or 404. Routes parse, call a service, answer.

One session per request: the middleware (web/middleware.py) opens it only when a session cookie
needs the reader loaded; otherwise `db` opens it on first use. A GET never writes: its session is
closed (rolled back) when the route returns. Any other method commits once, after the route
returned without an exception, and before the answer is sent, so a failed commit is the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlsplit

import anyio.to_thread
from anyio import CapacityLimiter, Semaphore
from fastapi import Depends, HTTPException, Request, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from dailypapers.community import services as community
from dailypapers.db.models import Paper, User
from dailypapers.papers.records import RecordError, split_arxiv_id
from dailypapers.papers.store import PaperStore

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_session(request: Request) -> Session:
    """The request's session, made on first use (the middleware closes it in any case)."""
    session: Session | None = getattr(request.state, "db", None)
    if session is None:
        session = request.app.state.sessions()
        request.state.db = session
    return session


def _commit_limiter(request: Request) -> CapacityLimiter:
    """Commits run in threads of their own: a commit holds a connection and waits for none, so
    it must not queue behind request threads that may be waiting for that connection."""
    limiter: CapacityLimiter | None = getattr(request.app.state, "commit_limiter", None)
    if limiter is None:
        threads = request.app.state.settings.web_threads
        limiter = request.app.state.commit_limiter = CapacityLimiter(threads)
    return limiter


# At most half the request threads (settings.web_threads // 2) write at once per worker past
# their body, so waiting writers can never hold every request thread: a writer that holds a lock
# (SQLite's file lock, a PostgreSQL row lock) still needs a thread after its route returns
# (FastAPI validates a sync route's answer in the thread pool) before its commit frees the lock.
# With every thread held by writers waiting for that lock, one worker stalled until SQLite's busy
# timeout (30 s) and on PostgreSQL forever (docs/decisions.md, 2026-11-28).


def _write_slots(request: Request) -> Semaphore:
    slots: Semaphore | None = getattr(request.app.state, "write_slots", None)
    if slots is None:
        writers = max(1, request.app.state.settings.web_threads // 2)
        slots = request.app.state.write_slots = Semaphore(writers)
    return slots


# At most `web_threads` requests per worker hold a session at once. A request keeps its session
# (and the connection it checked out) from its route's first query until `db` exits, which is
# after FastAPI has serialised the answer in a second trip to the thread pool; unbounded,
# requests waiting for that trip held every pooled connection while every thread waited for one
# (bench/web.py with 6 threads: 4 req/s and pool timeouts). Bounded, the pool (db/engine.py) has
# a connection for each holder and for the sign-in lookups.


def _session_slots(request: Request) -> Semaphore:
    slots: Semaphore | None = getattr(request.app.state, "session_slots", None)
    if slots is None:
        threads = request.app.state.settings.web_threads
        slots = request.app.state.session_slots = Semaphore(threads)
    return slots


async def db(request: Request) -> AsyncIterator[Session]:
    writes = request.method not in SAFE_METHODS
    if writes:  # waits holding no thread and no connection (the body is already read)
        await _write_slots(request).acquire()
    try:
        async with _session_slots(request):  # the same: no thread, no connection held
            session = request_session(request)
            try:
                yield session
            except BaseException:
                session.close()  # rolls back; the connection goes back at once
                raise
            if not writes or not session.in_transaction():
                session.close()
                return

            def commit() -> None:
                try:
                    session.commit()
                finally:
                    session.close()

            await anyio.to_thread.run_sync(commit, limiter=_commit_limiter(request))
    finally:
        if writes:
            _write_slots(request).release()


# scope="function": the exit (the commit) runs when the route returns, before the answer is sent
DbSession = Annotated[Session, Depends(db, scope="function")]


async def papers(session: DbSession) -> PaperStore:  # no I/O: async skips a thread hop
    return PaperStore(session)


Papers = Annotated[PaperStore, Depends(papers)]


# row ids are 32-bit integers on PostgreSQL: anything larger names no row (422, not a 500)
MAX_ID = 2**31 - 1


def wants_json(request: Request) -> bool:
    """A fetch() from app.js (or a script) asking for JSON instead of a redirect or a page."""
    return "application/json" in request.headers.get("accept", "")


async def current_user(request: Request) -> User | None:
    """The signed-in reader, loaded by the middleware on this request's session."""
    return getattr(request.state, "user", None)


async def require_user(request: Request) -> User:
    user: User | None = getattr(request.state, "user", None)
    if user is None:
        raise HTTPException(401, "Sign in first.")
    return user


def api_user(request: Request, session: DbSession) -> User:
    """Scripts authenticate with `Authorization: Bearer TOKEN` (no cookies, so no CSRF)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    user = community.user_for_api_token(session, token)
    if user is None:
        raise HTTPException(401, "Send a valid API token: Authorization: Bearer TOKEN")
    return user


CurrentUser = Annotated[User | None, Depends(current_user)]
SignedIn = Annotated[User, Depends(require_user)]
ApiUser = Annotated[User, Depends(api_user)]


def find_paper(store: PaperStore, arxiv_id: str, invalid_status: int) -> Paper:
    """The paper; 404 when absent, `invalid_status` when the text is not an arXiv id."""
    try:
        canonical, _ = split_arxiv_id(arxiv_id)
    except RecordError as exc:
        raise HTTPException(invalid_status, str(exc)) from exc
    paper = store.get(canonical)
    if paper is None:
        raise PaperNotHere(canonical)
    return paper


class PaperNotHere(HTTPException):
    """404 for a well-formed arXiv id this instance does not hold; its page offers arXiv's."""

    def __init__(self, arxiv_id: str) -> None:
        super().__init__(404, f"Paper {arxiv_id} is not in this instance yet.")
        self.arxiv_id = arxiv_id


def _shown_to(paper: Paper, user: User | None) -> Paper:
    """A paper a moderator hid is gone for everyone but moderators (who can unhide it)."""
    if paper.hidden and not (user is not None and user.is_moderator):
        raise HTTPException(404, f"Paper {paper.arxiv_id} is not in this instance.")
    return paper


def page_paper(arxiv_id: str, store: Papers, user: CurrentUser) -> Paper:
    """For pages and forms: anything that is not a known paper is 'not found'."""
    return _shown_to(find_paper(store, arxiv_id, 404), user)


def api_paper(arxiv_id: str, store: Papers, user: CurrentUser) -> Paper:
    """For the JSON API: a malformed id is a bad request (400), an unknown one 404."""
    return _shown_to(find_paper(store, arxiv_id, 400), user)


PagePaper = Annotated[Paper, Depends(page_paper)]
ApiPaper = Annotated[Paper, Depends(api_paper)]


# --- helpers every web module shares -------------------------------------------------------


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """An HTML page from web/templates (the reader and CSRF token are added by templating.py)."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never `//elsewhere` or a full URL."""
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


def back_to(url: str, fallback: str) -> str:
    """The path of the page a form came from (its Referer), else `fallback`."""
    if not url:
        return fallback
    parts = urlsplit(url)
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"
