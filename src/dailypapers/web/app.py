"""Application factory. Nothing is built at import time; every test makes its own app."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from prometheus_client import CollectorRegistry
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dailypapers import __version__
from dailypapers.common.ratelimit import RateLimited
from dailypapers.community.services import user_for_session
from dailypapers.config import Settings
from dailypapers.db.engine import make_engine, make_sessionmaker
from dailypapers.db.errors import refused_text, storage_condition
from dailypapers.digest.render import Renderer
from dailypapers.jobs.schedule import start_scheduler
from dailypapers.papers.periods import PeriodError
from dailypapers.papers.services import CategoryError
from dailypapers.search.runtime import SearchRuntime, build_search
from dailypapers.web import (
    accounts,
    admin,
    api,
    arxiv,
    citations,
    community,
    csrf,
    digest,
    docs,
    feeds,
    following,
    health,
    library,
    metrics,
    pages,
    profiles,
)
from dailypapers.web import search as search_routes
from dailypapers.web.cards import Shelf
from dailypapers.web.deps import PaperNotHere
from dailypapers.web.metrics import HttpMetrics, RequestMetrics
from dailypapers.web.middleware import (
    AnonymousCache,
    BodyLimit,
    Conditional,
    RequestState,
    SecurityHeaders,
)
from dailypapers.web.templating import make_templates

HERE = Path(__file__).parent
CACHED_PREFIXES = (
    "/api/daily_papers", "/api/papers/", "/feeds/",
    # pages, for anonymous readers (they carry no token: web/templating.py LazyCsrf)
    "/papers", "/search", "/arxiv", "/authors/", "/organizations/", "/submitters/", "/collections/",
)  # fmt: skip
CACHED_PAGES = ("/",)
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, search: SearchRuntime | None = None) -> FastAPI:
    """Build the app; `search` lets tests and tools hand in a prepared search runtime."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # as many request threads as the connection pool is sized for (db/engine.py)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        if settings.search_worker:
            app.state.search.start_worker()
        scheduler = start_scheduler(settings, app.state.sessions) if settings.scheduler else None
        app.state.scheduler = scheduler
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        app.state.search.stop_worker()

    app = FastAPI(
        lifespan=lifespan,
        title=settings.site_name,
        version=__version__,
        description="Daily feed of research papers. The JSON API follows the shapes of "
        "Hugging Face's public `/api/daily_papers` and `/api/papers/{id}`.",
        docs_url=None,  # web/docs.py serves them with local assets
        redoc_url=None,
    )
    engine = make_engine(settings)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.search = search or build_search(settings, app.state.sessions)
    app.state.templates = make_templates(settings)
    app.state.shared_cards = Shelf(settings.cache_seconds)
    # read once: the key file and the mail templates serve every request
    app.state.signing_key = settings.signing_key()
    app.state.cookies = csrf.cookie_names(secure=settings.env == "production")
    app.state.mail = Renderer(settings.site_name)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount(docs.ASSETS_URL, docs.assets(), name="docs-assets")
    for router in ROUTERS:
        app.include_router(router)
    _install_error_handlers(app, app.state.templates)
    _install_middleware(app, settings)
    return app


# every route of the app, in matching order (tests/web/test_form_fuzz.py walks them all)
ROUTERS = (
    docs.router, health.router, metrics.router, admin.router, accounts.router, community.pages,
    community.router, community.api, library.forms, library.pages, library.api, following.forms,
    following.pages, following.api, digest.router,
    search_routes.router, arxiv.router,
    api.router, feeds.router, profiles.router, citations.router, pages.router,
)  # fmt: skip


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    """Outermost first: request metrics (every answer counts, cached or not), HEAD and
    conditional GETs (ETag, 304), the body limit, the anonymous cache, then who is signed in,
    then security headers (so a cached answer carries them too)."""

    https = settings.env == "production" and settings.base_url.startswith("https://")
    app.add_middleware(SecurityHeaders, hsts=https, remote_images=settings.remote_images)
    app.add_middleware(
        RequestState,
        sessions=app.state.sessions,
        load_user=user_for_session,
        cookies=app.state.cookies,
    )
    app.add_middleware(
        AnonymousCache,
        seconds=settings.cache_seconds,
        prefixes=CACHED_PREFIXES,
        exact=CACHED_PAGES,
    )
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(Conditional)
    app.state.metrics_registry = CollectorRegistry()
    app.add_middleware(RequestMetrics, metrics=HttpMetrics(app.state.metrics_registry))


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and `dailypapers serve`: settings from the environment."""
    return create_app(Settings())


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/openapi")) or "application/json" in (
        request.headers.get("accept", "")
    )


def _install_error_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    def render_error(
        request: Request, status: int, message: str, missing: str | None = None
    ) -> Response:
        """`missing`: the arXiv id of a paper this instance does not hold."""
        if _wants_json(request):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        context = {"status": status, "message": message, "missing": missing}
        return templates.TemplateResponse(request, "error.html", context, status_code=status)

    @app.exception_handler(PeriodError)
    @app.exception_handler(CategoryError)
    async def _bad_parameter(request: Request, exc: Exception) -> Response:
        return render_error(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'request'}: {err['msg']}"
            for err in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse(
                {"error": problems, "status": 422, "detail": jsonable(exc.errors())},
                status_code=422,
            )
        return render_error(request, 422, problems)

    @app.exception_handler(RateLimited)
    async def _rate_limited(request: Request, exc: RateLimited) -> Response:
        response = render_error(request, 429, str(exc))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(DBAPIError)
    async def _storage_error(request: Request, exc: DBAPIError) -> Response:
        # a read-only or full database: say so, keep serving what can be read; anything else
        # (a duplicate key, a bug) is a plain server error, logged with its traceback
        if refused_text(exc):
            return render_error(request, 400, "Text may not contain the NUL character (\\0).")
        message = storage_condition(exc)
        if message is None:
            log.exception("server error on %s %s", request.method, request.url.path)
            return render_error(request, 500, "Something went wrong on our side.")
        log.error("database error on %s %s: %s", request.method, request.url.path, message)
        response = render_error(request, 503, f"Cannot save right now: {message}.")
        response.headers["Retry-After"] = "60"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        missing = exc.arxiv_id if isinstance(exc, PaperNotHere) else None
        response = render_error(request, exc.status_code, message, missing)
        response.headers.update(exc.headers or {})
        return response


def jsonable(errors: object) -> object:
    """Validation errors as JSON; the input they echo may hold lone surrogates (JSON can escape
    them), which no encoder writes: those become U+FFFD."""
    return _unicode_safe(jsonable_encoder(errors, custom_encoder={Exception: str}))


def _unicode_safe(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_unicode_safe(v) for v in value]
    if isinstance(value, dict):
        return {_unicode_safe(k): _unicode_safe(v) for k, v in value.items()}
    return value
