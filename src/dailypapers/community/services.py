"""Accounts, sessions, API tokens and votes: the rules, over CommunityStore."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from dailypapers.common.emails import normalize_email
from dailypapers.community.comments import comments_of
from dailypapers.community.passwords import hash_password, password_problems, verify_password
from dailypapers.community.store import CommunityStore
from dailypapers.db.models import Paper, User, UserSession

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


def sign_up(session: Session, username: str, email: str, password: str) -> User:
    username, normalized = username.strip(), normalize_email(email)
    problems = []
    if not USERNAME.match(username):
        problems.append("Usernames are 3–40 letters, digits, '-' or '_'.")
    if normalized is None:
        problems.append("That does not look like an email address (name@example.org).")
    email = normalized or email.strip().lower()
    problems += password_problems(password, username, email)
    if problems:
        raise SignupError(problems)
    user = CommunityStore(session).add_user(username, email, hash_password(password))
    if user is None:
        # Said of both fields at once, so the form does not confirm which one exists.
        raise SignupError(["That username or email address cannot be used; try another."])
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    user = CommunityStore(session).user_by_login(login)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or user.is_banned:
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
