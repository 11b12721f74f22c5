"""Digest subscriptions on the web: subscribe, confirm, manage, unsubscribe (with RFC 8058
one-click), and their JSON twins. Mails go out after the response, so every request for an address
answers the same way at the same speed."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from dailypapers.common.tokens import BadToken, Purpose, make_token
from dailypapers.db.models import Subscriber
from dailypapers.digest import services
from dailypapers.digest.mail import send_one
from dailypapers.papers.services import categories_note
from dailypapers.papers.store import PaperStore
from dailypapers.web import csrf
from dailypapers.web.api import ERRORS
from dailypapers.web.deps import CurrentUser, DbSession, render
from dailypapers.web.schemas import (
    ErrorOut,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionRequested,
)

log = logging.getLogger(__name__)
router = APIRouter()
CsrfChecked = Depends(csrf.verify)
SENT = (
    "If that address can receive mail, a message with a confirmation link is on its way. "
    "Nothing else will be sent until the link is opened."
)


def _origin(request: Request, source: str) -> services.Origin:
    return services.Origin(
        source,
        request.client.host if request.client else None,
        request.headers.get("user-agent"),
    )


def _send_notice(state: Any, notice: services.Notice) -> None:
    settings = state.settings
    send_one(
        settings, lambda: services.notice_message(settings, state.signing_key, state.mail, notice)
    )


def _request(
    request: Request,
    session: Session,
    background: BackgroundTasks,
    form: dict[str, Any],
    source: str,
) -> str:
    """Validate and record a request; raises SubscriptionError with problems for the form. The
    answer's message: sent, and why its categories would match nothing here, if they would."""
    app = request.app.state
    frequency, interests = services.parse_preferences(
        form["frequency"],
        form["categories"],
        form["keywords"],
        form["authors"],
        form["like_upvoted"],
    )
    notice = services.request_subscription(
        session,
        form["email"],
        frequency,
        interests,
        request.state.user,
        _origin(request, source),
    )
    if notice is not None:  # sent after the response, so after this request's commit
        background.add_task(_send_notice, app, notice)
    note = categories_note(PaperStore(session), interests.categories)
    return f"{SENT} {note}" if note else SENT


def _form_values(user: Any) -> dict[str, Any]:
    return {
        "email": user.email if user else "",
        "frequency": "daily",
        "categories": "",
        "keywords": "",
        "authors": "",
        "like_upvoted": False,
    }


@router.get("/subscribe", response_class=HTMLResponse, include_in_schema=False)
def subscribe_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "subscribe.html", {"form": _form_values(user)})


@router.post("/subscribe", include_in_schema=False, dependencies=[CsrfChecked])
def subscribe(
    request: Request,
    session: DbSession,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=320)],
    frequency: Annotated[str, Form(max_length=16)] = "daily",
    categories: Annotated[str, Form(max_length=3000)] = "",
    keywords: Annotated[str, Form(max_length=3000)] = "",
    authors: Annotated[str, Form(max_length=3000)] = "",
    like_upvoted: Annotated[bool, Form()] = False,
) -> Response:
    form = dict(
        email=email,
        frequency=frequency,
        categories=categories,
        keywords=keywords,
        authors=authors,
        like_upvoted=like_upvoted,
    )
    try:
        message = _request(request, session, background, form, "web form /subscribe")
    except services.SubscriptionError as exc:
        context = {"form": form, "problems": exc.problems}
        return render(request, "subscribe.html", context, status=400)
    return render(request, "subscribe_sent.html", {"message": message, "email": email})


@router.post(
    "/api/subscriptions",
    status_code=202,
    tags=["digests"],
    responses={**ERRORS, 429: {"model": ErrorOut}},
)
def subscribe_api(
    request: Request, session: DbSession, body: SubscriptionIn, background: BackgroundTasks
) -> SubscriptionRequested:
    """Ask for a digest. A confirmation mail goes to the address; the answer is the same whether
    or not the address is already subscribed."""
    form = body.model_dump()
    for name in ("categories", "keywords", "authors"):
        form[name] = "\n".join(form[name])
    try:
        message = _request(request, session, background, form, "api /api/subscriptions")
    except services.SubscriptionError as exc:
        raise HTTPException(400, " ".join(exc.problems)) from exc
    return SubscriptionRequested(message=message)


def _subscriber(request: Request, purpose: Purpose, token: str, session: Session) -> Subscriber:
    try:
        return services.subscriber_for(session, request.app.state.signing_key, purpose, token)
    except BadToken as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/subscribe/confirm/{token}", response_class=HTMLResponse, include_in_schema=False)
def confirm_page(request: Request, token: str, session: DbSession) -> Response:
    """A page with a button: mail scanners open links, only people press buttons."""
    try:
        services.request_for(session, request.app.state.signing_key, token)
    except BadToken as exc:
        raise HTTPException(404, str(exc)) from exc
    return render(request, "subscribe_confirm.html", {"token": token})


@router.post("/subscribe/confirm/{token}", include_in_schema=False, dependencies=[CsrfChecked])
def confirm(request: Request, token: str, session: DbSession, user: CurrentUser) -> Response:
    key = request.app.state.signing_key
    origin = _origin(request, "confirm link")
    try:
        subscriber = services.confirm(session, key, token, origin, user)
    except BadToken as exc:
        raise HTTPException(404, str(exc)) from exc
    manage = make_token(key, "manage", subscriber.token)
    return RedirectResponse(f"/subscription/{manage}?confirmed=1", status_code=303)


def _view(subscriber: Subscriber) -> SubscriptionOut:
    interests = services.interests_of(subscriber)
    return SubscriptionOut(
        email=subscriber.email,
        status=subscriber.status,
        frequency=subscriber.frequency,
        categories=list(interests.categories),
        keywords=list(interests.keywords),
        authors=list(interests.authors),
        like_upvoted=interests.like_upvoted,
    )


@router.get("/subscription/{token}", response_class=HTMLResponse, include_in_schema=False)
def manage_page(request: Request, token: str, session: DbSession) -> Response:
    subscriber = _subscriber(request, "manage", token, session)
    context = _manage_context(request, subscriber, token)
    return render(request, "subscription.html", context)


@router.get("/api/subscriptions/{token}", tags=["digests"], responses=ERRORS)
def manage_api(request: Request, token: str, session: DbSession) -> SubscriptionOut:
    """A subscription, by the token of the manage link in every digest."""
    return _view(_subscriber(request, "manage", token, session))


def _manage_context(request: Request, subscriber: Subscriber, token: str) -> dict[str, Any]:
    view = _view(subscriber)
    key = request.app.state.signing_key
    return {
        "sub": view,
        "token": token,
        "can_like_upvoted": subscriber.user_id is not None,
        "unsubscribe_url": f"/unsubscribe/{make_token(key, 'unsubscribe', subscriber.token)}",
        "form": {
            "frequency": view.frequency,
            "categories": " ".join(view.categories),
            "keywords": "\n".join(view.keywords),
            "authors": "\n".join(view.authors),
            "like_upvoted": view.like_upvoted,
        },
        "flash": _flash(request),
    }


def _flash(request: Request) -> str:
    if request.query_params.get("confirmed"):
        return "Confirmed: your digest starts with the next one."
    if request.query_params.get("saved"):
        return "Saved."
    if request.query_params.get("resubscribed"):
        return "Welcome back: your digest is on again."
    if request.query_params.get("resubscribe"):
        return "Your digest could not be turned on again from here; subscribe again to confirm it."
    return ""


@router.post("/subscription/{token}", include_in_schema=False, dependencies=[CsrfChecked])
def manage(
    request: Request,
    token: str,
    session: DbSession,
    frequency: Annotated[str, Form(max_length=16)] = "daily",
    categories: Annotated[str, Form(max_length=3000)] = "",
    keywords: Annotated[str, Form(max_length=3000)] = "",
    authors: Annotated[str, Form(max_length=3000)] = "",
    like_upvoted: Annotated[bool, Form()] = False,
) -> Response:
    subscriber = _subscriber(request, "manage", token, session)
    try:
        frequency, interests = services.parse_preferences(
            frequency, categories, keywords, authors, like_upvoted
        )
    except services.SubscriptionError as exc:
        context = _manage_context(request, subscriber, token)
        context["problems"] = exc.problems
        context["form"] = dict(
            frequency=frequency,
            categories=categories,
            keywords=keywords,
            authors=authors,
            like_upvoted=like_upvoted,
        )
        return render(request, "subscription.html", context, status=400)
    services.update_preferences(
        session, subscriber, frequency, interests, _origin(request, "manage page")
    )
    return RedirectResponse(f"/subscription/{token}?saved=1", status_code=303)


@router.post(
    "/subscription/{token}/resubscribe", include_in_schema=False, dependencies=[CsrfChecked]
)
def resubscribe(request: Request, token: str, session: DbSession) -> Response:
    subscriber = _subscriber(request, "manage", token, session)
    services.resubscribe(session, subscriber, _origin(request, "manage page"))
    # the message follows what really happened
    outcome = "resubscribed=1" if subscriber.status == "active" else "resubscribe=failed"
    return RedirectResponse(f"/subscription/{token}?{outcome}", status_code=303)


@router.get("/unsubscribe/{token}", response_class=HTMLResponse, include_in_schema=False)
def unsubscribe_page(request: Request, token: str, session: DbSession) -> Response:
    """Only a question: mail scanners fetch every link, and a GET must not unsubscribe."""
    subscriber = _subscriber(request, "unsubscribe", token, session)
    done = subscriber.status != "active"
    return render(
        request, "unsubscribe.html", {"token": token, "done": done, "email": subscriber.email}
    )


@router.post("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe(
    request: Request,
    token: str,
    session: DbSession,
    one_click: Annotated[str | None, Form(alias="List-Unsubscribe", max_length=20)] = None,
) -> Response:
    """RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` with no cookies, so
    the signed token is the only credential, and the answer is immediate."""
    clicked = one_click == "One-Click"
    source = "one-click (List-Unsubscribe-Post)" if clicked else "unsubscribe page"
    subscriber = _subscriber(request, "unsubscribe", token, session)
    services.unsubscribe(session, subscriber, _origin(request, source))
    manage = make_token(request.app.state.signing_key, "manage", subscriber.token)
    context = {
        "token": token,
        "done": True,
        "email": subscriber.email,
        "manage_url": f"/subscription/{manage}",
    }
    return render(request, "unsubscribe.html", context)
