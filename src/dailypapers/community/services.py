"""Accounts, sessions, API tokens and votes: the rules, over CommunityStore."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete
from sqlalchemy.orm import Session

from dailypapers.common import ratelimit
from dailypapers.common.emails import normalize_email
from dailypapers.common.tokens import ACCOUNT_LIFETIME, BadToken, make_token, read_token
from dailypapers.community.comments import comments_of
from dailypapers.community.passwords import hash_password, password_problems, verify_password
from dailypapers.community.store import CommunityStore
from dailypapers.db.models import AccountRequest, Paper, User, UserSession, utcnow

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{1,38}[A-Za-z0-9]$")
SESSION_LIFETIME = dt.timedelta(days=30)
LOGIN_FAILED = "That username or email and password do not match an account."


class SignupError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


@dataclass(frozen=True)
class AccountNotice:
    """A mail the sign-up form sends: "signup" carries the link that makes the account; "taken"
    tells an address's owner that someone tried to sign up with it (the form answers the same)."""

    kind: Literal["signup", "taken", "verify"]
    email: str
    username: str  # the name asked for ("signup"), or the address's account ("taken", "verify")
    link_token: str = ""


def _signup_problems(username: str, email: str, password: str) -> tuple[str, list[str]]:
    normalized = normalize_email(email)
    problems = []
    if not USERNAME.match(username):
        problems.append("Usernames are 3–40 letters, digits, '-' or '_'.")
    if normalized is None:
        problems.append("That does not look like an email address (name@example.org).")
    email = normalized or email.strip().lower()
    return email, problems + password_problems(password, username, email)


def request_account(
    session: Session, key: bytes, username: str, email: str, password: str
) -> AccountNotice | None:
    """Check a sign-up and say which mail to send; the account is made only when the mailed link
    is opened (`finish_signup`). Usernames are public, so a taken one is said; whether an address
    has an account is not: its owner gets a mail instead. None: this address had enough mail
    today (the caller answers exactly as if it had been sent)."""
    username = username.strip()
    email, problems = _signup_problems(username, email, password)
    store = CommunityStore(session)
    if not problems and store.user_by_name(username) is not None:
        problems.append("That username is taken; try another.")
    if problems:
        raise SignupError(problems)
    owner = store.user_by_email(email)
    if owner is not None:
        notice = AccountNotice("taken", email, owner.username)
    else:
        asked = AccountRequest(
            token=secrets.token_urlsafe(16),
            username=username,
            email=email,
            password_hash=hash_password(password),
        )
        store.add_account_request(asked, keep=dt.timedelta(days=7))
        link = make_token(key, "signup", asked.token, lifetime=ACCOUNT_LIFETIME)
        notice = AccountNotice("signup", email, username, link)
    return notice if ratelimit.mail_allowed(session, "account-mail", email) else None


def finish_signup(session: Session, key: bytes, token: str) -> User:
    """The account a mailed sign-up link makes, its address verified by that very link; BadToken
    for a bad or used link, SignupError when the name or the address was taken meanwhile."""
    store = CommunityStore(session)
    asked = store.account_request(read_token(key, "signup", token))
    if asked is None:
        raise BadToken("This link is not valid.")
    if asked.used_at is not None:
        raise BadToken("This link was used already: your account exists, sign in.")
    user = store.add_user(asked.username, asked.email, asked.password_hash, verified_at=utcnow())
    if user is None:
        taken = store.user_by_email(asked.email) is not None
        raise SignupError(
            ["This address has an account already: sign in instead."]
            if taken
            else [f"The username {asked.username} was taken meanwhile: sign up again."]
        )
    asked.used_at = utcnow()
    return user


def sign_up(session: Session, username: str, email: str, password: str) -> User:
    """An account made at once, by an operator (`dailypapers add-user`) who vouches for the
    address: the same rules as the form, the address counted as verified. SignupError when a
    rule fails or the name or address is taken."""
    username = username.strip()
    email, problems = _signup_problems(username, email, password)
    if problems:
        raise SignupError(problems)
    store = CommunityStore(session)
    user = store.add_user(username, email, hash_password(password), verified_at=utcnow())
    if user is None:
        raise SignupError(["That username or email address has an account already."])
    return user


def _verify_reader(user: User) -> str:
    # the account and its current address: a link mailed before the address changed is void
    return f"{user.id}-{hashlib.sha256(user.email.encode()).hexdigest()[:16]}"


def verification_notice(session: Session, key: bytes, user: User) -> AccountNotice | None:
    """A link that confirms an account's address (accounts made before sign-ups were verified);
    None when already verified or when the address had enough mail today."""
    if user.email_verified_at is not None or not ratelimit.mail_allowed(
        session, "account-mail", user.email
    ):
        return None
    link = make_token(key, "verify", _verify_reader(user), lifetime=ACCOUNT_LIFETIME)
    return AccountNotice("verify", user.email, user.username, link)


def verify_email(session: Session, key: bytes, token: str, user: User) -> None:
    """Mark `user`'s address verified by a link mailed to it; BadToken unless the link was made
    for this very account and address."""
    if read_token(key, "verify", token) != _verify_reader(user):
        raise BadToken("This link is for another account or an older address.")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The account, or None. Failures are counted per account (per login text when none
    matches, so the answer is the same): after LIMITS["login-account"] the account refuses
    every password, the right one too, until the window passes (RateLimited)."""
    user = CommunityStore(session).user_by_login(login)
    who = f"user-{user.id}" if user else hashlib.sha256(login.strip().lower().encode()).hexdigest()
    ratelimit.check(session, "login-account", who)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.is_banned:
        ratelimit.hit(session, "login-account", who)
        return None
    return user


def start_session(session: Session, user: User) -> str:
    """A fresh session token (never reused from before sign-in: no session fixation)."""
    token, hashed = new_token()
    CommunityStore(session).add_session(user, hashed, SESSION_LIFETIME)
    return token


def end_session(session: Session, token: str) -> None:
    CommunityStore(session).drop_session(token_hash(token))


def user_for_session(session: Session, token: str | None) -> User | None:
    if not token:
        return None
    user = CommunityStore(session).user_for_session(token_hash(token))
    return None if user is None or user.is_banned else user


def user_for_api_token(session: Session, token: str | None) -> User | None:
    if not token:
        return None
    user = CommunityStore(session).user_by_token_hash(token_hash(token))
    return None if user is None or user.is_banned else user


def issue_api_token(user: User) -> str:
    """A new API token for scripts; the previous one stops working. Shown once."""
    token, hashed = new_token()
    user.api_token_hash = hashed
    return token


@dataclass(frozen=True)
class VoteResult:
    voted: bool
    votes: int  # what readers see: source upvotes + community votes
    community_votes: int


def vote(session: Session, user: User, paper_id: int, up: bool = True) -> VoteResult:
    total, community = CommunityStore(session).set_vote(user, paper_id, up)
    return VoteResult(voted=up, votes=total, community_votes=community)


def account_data(session: Session, user: User) -> dict[str, Any]:
    """What the community domain holds about a user (privacy/export.py adds the rest)."""
    store = CommunityStore(session)
    return {
        "username": user.username,
        "email": user.email,
        "created_at": user.created_at.isoformat() + "Z",
        "is_moderator": user.is_moderator,
        "has_api_token": user.api_token_hash is not None,
        "upvoted": [
            {"arxiv_id": p.arxiv_id, "title": p.title, "at": at.isoformat() + "Z"}
            for p, at in store.upvoted_papers(user, limit=100_000)
        ],
        "submitted": [
            {"arxiv_id": p.arxiv_id, "title": p.title, "feed_date": day.isoformat()}
            for p, day in store.submissions(user, limit=100_000)
        ],
        "comments": [
            {
                "arxiv_id": c.paper.arxiv_id,
                "body": c.body,
                "hidden": c.hidden,
                "created_at": c.created_at.isoformat() + "Z",
            }
            for c in comments_of(session, user, limit=100_000)
        ],
    }


def require_moderator(user: User) -> None:
    if not user.is_moderator:
        raise PermissionError("Only moderators can do that.")


def set_paper_hidden(session: Session, moderator: User, paper_id: int, hidden: bool) -> None:
    require_moderator(moderator)
    paper = session.get(Paper, paper_id)
    if paper is not None:
        paper.hidden = hidden


def ban(session: Session, moderator: User, username: str) -> User | None:
    """Ban a user: they are signed out everywhere and can no longer sign in or use tokens."""
    require_moderator(moderator)
    target = CommunityStore(session).user_by_name(username)
    if target is None or target.id == moderator.id:
        return None
    target.is_banned = True
    session.execute(delete(UserSession).where(UserSession.user_id == target.id))
    return target
