"""Plain ASGI middlewares (no per-request tasks or body streams, unlike `@app.middleware`):
security headers; the request's session, signed-in user and CSRF cookie; and a short cache of
anonymous API/feed answers. bench/web.py measures what they cost."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dailypapers.web import csrf
from dailypapers.web.security import DOCS_CSP, HEADERS, csp

# Pages whose URL or body is a credential (mailed tokens, API tokens, a user's data): never kept
# by a browser or proxy cache.
PRIVATE_PREFIXES = (
    "/subscription/", "/api/subscriptions/", "/unsubscribe/", "/subscribe/confirm/",
    "/account/", "/admin",
)  # fmt: skip
HSTS = (b"strict-transport-security", b"max-age=31536000")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: bool = False, remote_images: bool = True) -> None:
        self.app = app
        self.policy = csp(remote_images).encode()
        self.static = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
        if hsts:  # production behind HTTPS: browsers never try plain HTTP again
            self.static.append(HSTS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        docs = path in ("/docs", "/redoc")
        policy = DOCS_CSP.encode() if docs else self.policy
        private = path.startswith(PRIVATE_PREFIXES) or path.endswith("/export.json")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", policy))
                headers += [(k, v) for k, v in self.static if k not in present]
                if private:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestState:
    """Per request: the database session's slot (web/deps.py fills it on first use), the
    signed-in reader (one query, only when a session cookie came, on that same session) and, when
    a page minted a CSRF token for this browser, the cookie that carries it. The session is
    closed when the answer is out, whatever happened."""

    def __init__(
        self,
        app: ASGIApp,
        sessions: Callable[[], Session],
        load_user: Callable[[Session, str], Any],
        cookies: csrf.CookieNames,
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.load_user = load_user
        self.cookies = cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        state = scope.setdefault("state", {})
        state["user"] = state["db"] = None
        token = HTTPConnection(scope).cookies.get(self.cookies.session)
        try:
            if token:
                state["db"] = self.sessions()
                state["user"] = await run_in_threadpool(self._user, state["db"], token)
            await self.app(scope, receive, self._with_cookie(state, send))
        finally:
            if state["db"] is not None:
                state["db"].close()

    def _user(self, session: Session, token: str) -> Any:
        user = self.load_user(session, token)
        # end the read so the connection goes back to the pool while the request waits for a
        # thread; the reader stays loaded on this session (no expiry on commit)
        session.commit()
        return user

    def _with_cookie(self, state: dict[str, Any], send: Send) -> Send:
        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("new_csrf"):
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", csrf.cookie_header(self.cookies, state["new_csrf"]))
            await send(message)

        return send_with_cookie


class AnonymousCache:
    """Reuse a GET answer for `seconds` for visitors without a session or token: the JSON API
    and feeds, which readers and scripts poll, and the pages anonymous readers browse (which
    carry no form and no token: web/templating.py). Answers with cookies or other than 200 are
    never kept, nor one that holds the asking browser's CSRF token; `Cache-Control` lets a
    reverse proxy do the same, `Vary: Cookie, Authorization` keeps it from mixing readers."""

    def __init__(
        self,
        app: ASGIApp,
        seconds: float,
        prefixes: tuple[str, ...],
        exact: tuple[str, ...] = (),
        size: int = 2048,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.prefixes = prefixes
        self.exact = frozenset(exact)
        self.size = size
        self.entries: OrderedDict[bytes, tuple[float, Message, bytes]] = OrderedDict()
        self.refreshing: set[bytes] = set()

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET" or self.seconds <= 0:
            return False
        if scope["path"] not in self.exact and not scope["path"].startswith(self.prefixes):
            return False
        for name, value in scope["headers"]:
            if name == b"authorization" or (name == b"cookie" and b"dp_session=" in value):
                return False
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            return await self.app(scope, receive, send)
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        hit = self.entries.get(key)
        now = time.monotonic()
        # fresh, or stale while one other request is already computing the new answer: without
        # that, every request arriving at expiry computes it at once (bench/web.py p99 x4)
        if hit is not None and (hit[0] > now or key in self.refreshing):
            await send(hit[1])
            await send({"type": "http.response.body", "body": hit[2]})
            return
        self.refreshing.add(key)
        try:
            await self._compute(key, scope, receive, send, now)
        finally:
            self.refreshing.discard(key)

    async def _compute(
        self, key: bytes, scope: Scope, receive: Receive, send: Send, now: float
    ) -> None:
        start: Message = {}
        body: list[bytes] = []

        own_token = _csrf_cookie(scope)

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if message["status"] == 200 and "set-cookie" not in headers:
                    headers["cache-control"] = f"public, max-age={int(self.seconds)}"
                    headers["vary"] = "Cookie, Authorization"
                start = message
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                complete = not message.get("more_body") and start.get("status") == 200
                if complete and b"set-cookie" not in {n for n, _ in start.get("headers", [])}:
                    whole = b"".join(body)
                    if not (own_token and own_token in whole):  # a form with this browser's token
                        self._keep(key, start, whole, now)
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, key: bytes, start: Message, body: bytes, now: float) -> None:
        self.entries[key] = (now + self.seconds, dict(start), body)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)


def _csrf_cookie(scope: Scope) -> bytes:
    """The CSRF token the asking browser holds (either cookie name), or b""."""
    for name, value in scope["headers"]:
        if name == b"cookie":
            for part in bytes(value).split(b";"):
                key, _, token = part.strip().partition(b"=")
                if key in (b"dp_csrf", b"__Host-dp_csrf") and len(token) >= 16:
                    return bytes(token)
    return b""


class Conditional:
    """HEAD wherever GET works (the GET runs, its body is dropped, its headers kept), and an
    `ETag` on every complete 200 answer that may be stored (feeds, the API, pages): a request
    whose `If-None-Match` names it gets 304 and no body, so feed readers and scripts polling the
    API stop downloading what they have. Streamed and `no-store` answers pass untouched."""

    def __init__(self, app: ASGIApp, max_bytes: int = 8 * 1024 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        asked = HTTPConnection(scope).headers.get("if-none-match", "")
        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def forward(message: Message) -> None:
            nonlocal start, passing
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                return await send(message)
            if passing:
                return await send({**message, "body": b""} if head else message)
            chunks.append(message.get("body", b""))
            size = sum(len(c) for c in chunks)
            if message.get("more_body") and size <= self.max_bytes:
                return
            if message.get("more_body"):  # too big to hold: stream the rest as it comes
                passing = True
                await send(start)
                body = b"".join(chunks)
                return await send({**message, "body": b"" if head else body})
            await self._answer(start, b"".join(chunks), asked, head, send)

        await self.app(scope, receive, forward)

    async def _answer(
        self, start: Message, body: bytes, asked: str, head: bool, send: Send
    ) -> None:
        headers = MutableHeaders(scope=start)
        storable = start["status"] == 200 and "no-store" not in headers.get("cache-control", "")
        if storable:
            if "etag" not in headers:
                headers["etag"] = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
            if _matches(asked, headers["etag"]):
                kept = {"etag", "cache-control", "vary", "last-modified", "expires"}
                for name in [k for k in headers.keys() if k not in kept]:  # noqa: SIM118
                    if name.startswith("content-") or name in ("transfer-encoding",):
                        del headers[name]
                await send({**start, "status": 304})
                return await send({"type": "http.response.body", "body": b""})
        await send(start)
        await send({"type": "http.response.body", "body": b"" if head else body})


def _matches(asked: str, etag: str) -> bool:
    """If-None-Match: "*" or a list of tags, weak or strong (a weak match is enough for GET)."""
    if not asked:
        return False
    if asked.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in asked.split(",")}
    return etag.removeprefix("W/") in tags


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413, before reading them: by Content-Length
    when it is sent, else while the body streams in (a 200 MB JSON body used to be read whole).
    A streamed body that grows too large is answered 413 at once; the app then sees the client
    gone, and whatever it tries to answer is dropped."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = HTTPConnection(scope).headers.get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            return await self._refuse(send)
        seen = 0
        started = refused = False

        async def counting() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit and not started:
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counting, tracking)

    async def _refuse(self, send: Send) -> None:
        body = (
            f'{{"error": "request body too large: at most {self.limit} bytes", "status": 413}}'
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
