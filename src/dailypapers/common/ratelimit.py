"""Sliding-window rate limits kept in the database, so every web worker sees the same counts."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dailypapers.db.models import RateEvent, utcnow


@dataclass(frozen=True)
class Limit:
    action: str
    count: int
    window: dt.timedelta

    def describe(self) -> str:
        minutes = int(self.window.total_seconds() // 60)
        span = f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours"
        return f"at most {self.count} {self.action} per {span}"


LIMITS = {
    "signup": Limit("sign-ups", 5, dt.timedelta(hours=1)),
    "login": Limit("sign-in attempts", 10, dt.timedelta(minutes=15)),
    # failed passwords per account, from any address: a guesser spread over many IPs stops here
    "login-account": Limit("failed sign-ins for this account", 10, dt.timedelta(minutes=15)),
    "vote": Limit("votes", 120, dt.timedelta(minutes=10)),
    "comment": Limit("comments", 10, dt.timedelta(minutes=10)),
    "submit": Limit("submissions", 10, dt.timedelta(days=1)),
    # saves, read marks, notes and collection changes
    "library": Limit("changes to your library", 300, dt.timedelta(minutes=10)),
    "subscribe": Limit("subscription requests", 10, dt.timedelta(hours=1)),
    # per address, whoever asks: silently capped so nobody can flood an inbox with confirmations
    "subscription-mail": Limit("subscription mails", 3, dt.timedelta(days=1)),
    "account-mail": Limit("account mails", 3, dt.timedelta(days=1)),
}


class RateLimited(Exception):
    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(f"Slow down: {limit.describe()}. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


def hit(session: Session, action: str, who: str, now: dt.datetime | None = None) -> None:
    """Count one `action` by `who` (a user id or client address); raise RateLimited if over."""
    now = now or utcnow()
    key = f"{action}:{who}"
    session.execute(
        delete(RateEvent).where(RateEvent.key == key, RateEvent.at <= now - LIMITS[action].window)
    )
    check(session, action, who, now)
    session.add(RateEvent(key=key, at=now))


def mail_allowed(session: Session, action: str, email: str) -> bool:
    """Count one mail of `action` to an address (kept hashed); False once it had enough today,
    whoever asks: the caller then answers exactly as if it had been sent."""
    try:
        hit(session, action, hashlib.sha256(email.encode()).hexdigest()[:32])
    except RateLimited:
        return False
    return True


def check(session: Session, action: str, who: str, now: dt.datetime | None = None) -> None:
    """Raise RateLimited if `who` is at the limit of `action`, counting nothing."""
    limit = LIMITS[action]
    now = now or utcnow()
    key = f"{action}:{who}"
    since = now - limit.window
    recent = session.execute(
        select(func.count(), func.min(RateEvent.at)).where(
            RateEvent.key == key, RateEvent.at > since
        )
    ).one()
    if recent[0] >= limit.count:
        retry = int((recent[1] + limit.window - now).total_seconds()) + 1
        raise RateLimited(limit, max(retry, 1))
