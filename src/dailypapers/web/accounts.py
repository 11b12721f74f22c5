"""Sign up, sign in, sign out, user pages, data download and API tokens."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dailypapers.common import ratelimit
from dailypapers.common.emails import normalize_email
from dailypapers.common.tokens import BadToken
from dailypapers.community import services
from dailypapers.community.comments import comments_of
from dailypapers.community.store import CommunityStore
from dailypapers.digest.mail import build_message, send_one
from dailypapers.digest.services import link_account
from dailypapers.privacy.export import export_user
from dailypapers.web import csrf
from dailypapers.web.deps import CurrentUser, DbSession, SignedIn, client_of, render, safe_next

router = APIRouter(include_in_schema=False)
CsrfChecked = Depends(csrf.verify)


def _signed_in(request: Request, token: str, next_url: str) -> Response:
    response = RedirectResponse(safe_next(next_url), status_code=303)
    response.set_cookie(
        request.app.state.cookies.session,
        token,
        httponly=True,
        samesite="lax",
        secure=request.app.state.cookies.secure,
        max_age=int(services.SESSION_LIFETIME.total_seconds()),
    )
    csrf.rotate(request)
    return response


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request) -> Response:
    return render(request, "signup.html", {"problems": [], "form": {}})


@router.post("/signup", dependencies=[CsrfChecked])
def signup(
    request: Request,
    session: DbSession,
    background: BackgroundTasks,
    username: Annotated[str, Form(max_length=100)],
    email: Annotated[str, Form(max_length=400)],
    password: Annotated[str, Form(max_length=400)],
) -> Response:
    """Mails a link that makes the account. The answer is the same whether or not the address
    has an account already (its owner gets a mail saying so)."""
    ratelimit.hit(session, "signup", client_of(request))
    key = request.app.state.signing_key
    try:
        notice = services.request_account(session, key, username, email, password)
    except services.SignupError as exc:
        form = {"username": username, "email": email}
        return render(request, "signup.html", {"problems": exc.problems, "form": form}, 400)
    if notice is not None:  # sent after the response, so after this request's commit
        background.add_task(_send_account_mail, request.app.state, notice)
    message = (
        f"We sent a link to {normalize_email(email)}: open it within 2 days "
        "to finish signing up. Nothing is made until then."
    )
    return _sent(request, message)


def _sent(request: Request, message: str) -> Response:
    settings = request.app.state.settings
    folder = None if settings.smtp_host or settings.env == "production" else settings.data_dir
    context = {"message": message, "mail_folder": f"{folder}/mail" if folder else None}
    return render(request, "account_sent.html", context)


def _send_account_mail(state: Any, notice: services.AccountNotice) -> None:
    base = state.settings.base_url
    url = {
        "signup": f"{base}/signup/confirm/{notice.link_token}",
        "taken": f"{base}/login",
        "verify": f"{base}/account/verify/{notice.link_token}",
    }[notice.kind]
    rendered = state.mail.account(notice.kind, notice.email, notice.username, url)
    send_one(
        state.settings,
        lambda: build_message(rendered, sender=state.settings.mail_from, to=notice.email),
    )


@router.get("/signup/confirm/{token}", response_class=HTMLResponse)
def signup_confirm_page(request: Request, token: str) -> Response:
    """A button, not an action: mail scanners open links, and a GET never writes."""
    context = {
        "heading": "Finish signing up",
        "message": "Press the button to create your account and sign in.",
        "action": f"/signup/confirm/{token}",
        "button": "Create my account",
    }
    return render(request, "account_confirm.html", context)


@router.post("/signup/confirm/{token}", dependencies=[CsrfChecked])
def signup_confirm(request: Request, token: str, session: DbSession) -> Response:
    try:
        user = services.finish_signup(session, request.app.state.signing_key, token)
    except BadToken as exc:
        return render(request, "error.html", {"status": 400, "message": str(exc)}, 400)
    except services.SignupError as exc:
        return render(request, "error.html", {"status": 409, "message": str(exc)}, 409)
    link_account(session, user)
    return _signed_in(request, services.start_session(session, user), f"/users/{user.username}")


@router.post("/account/verify", dependencies=[CsrfChecked])
def verify_request(
    request: Request, user: SignedIn, session: DbSession, background: BackgroundTasks
) -> Response:
    """Mail a link that confirms the address of an account made before sign-ups were verified."""
    if user.email_verified_at is not None:
        return RedirectResponse(f"/users/{user.username}", status_code=303)
    notice = services.verification_notice(session, request.app.state.signing_key, user)
    if notice is not None:
        background.add_task(_send_account_mail, request.app.state, notice)
    return _sent(request, f"We sent a link to {user.email}: open it within 2 days, signed in.")


@router.get("/account/verify/{token}", response_class=HTMLResponse)
def verify_page(request: Request, token: str, user: CurrentUser) -> Response:
    if user is None:
        return RedirectResponse(f"/login?next=/account/verify/{token}", status_code=303)
    context = {
        "heading": "Confirm your address",
        "message": f"Press the button to confirm {user.email} for your account {user.username}.",
        "action": f"/account/verify/{token}",
        "button": "Confirm my address",
    }
    return render(request, "account_confirm.html", context)


@router.post("/account/verify/{token}", dependencies=[CsrfChecked])
def verify(request: Request, token: str, user: SignedIn, session: DbSession) -> Response:
    try:
        services.verify_email(session, request.app.state.signing_key, token, user)
    except BadToken as exc:
        return render(request, "error.html", {"status": 400, "message": str(exc)}, 400)
    link_account(session, user)
    return RedirectResponse(f"/users/{user.username}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"error": None, "next": safe_next(next)})


@router.post("/login", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: DbSession,
    login: Annotated[str, Form(max_length=400)],
    password: Annotated[str, Form(max_length=400)],
    next: Annotated[str, Form(max_length=400)] = "/",
) -> Response:
    ratelimit.hit(session, "login", client_of(request))
    user = services.authenticate(session, login, password)
    if user is None:
        context = {"error": services.LOGIN_FAILED, "next": safe_next(next)}
        return render(request, "login.html", context, 400)
    old = request.cookies.get(request.app.state.cookies.session)
    if old:
        services.end_session(session, old)  # a cookie set before sign-in is never kept
    return _signed_in(request, services.start_session(session, user), next)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request, session: DbSession) -> Response:
    token = request.cookies.get(request.app.state.cookies.session)
    if token:
        services.end_session(session, token)
    response = RedirectResponse("/", status_code=303)
    names = request.app.state.cookies
    response.delete_cookie(names.session, secure=names.secure, httponly=True, samesite="lax")
    csrf.rotate(request)
    return response


@router.get("/users/{username}", response_class=HTMLResponse)
def user_page(request: Request, username: str, session: DbSession) -> Response:
    store = CommunityStore(session)
    user = store.user_by_name(username)
    if user is None:
        raise HTTPException(404, f"No user {username[:40]!r} here.")
    context = {
        "profile": user,
        "upvoted": store.upvoted_papers(user),
        "submitted": store.submissions(user),
        "comments": comments_of(session, user),
    }
    return render(request, "user.html", context)


@router.get("/users/{username}/export.json")
def export(username: str, user: SignedIn, session: DbSession) -> Response:
    if user.username != username:
        raise HTTPException(403, "You can download only your own data.")
    return Response(
        json.dumps(export_user(session, user), indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="dailypapers-{username}.json"'},
    )


@router.post("/account/token", dependencies=[CsrfChecked])
def new_api_token(request: Request, user: SignedIn, session: DbSession) -> Response:
    return render(request, "token.html", {"token": services.issue_api_token(user)})
