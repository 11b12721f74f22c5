"""Subscriptions: double opt-in, the consent record, preferences and unsubscribing.

From the outside nobody can tell whether an address is subscribed: a request always gets the same
answer, and what differs (a confirmation, or a note that the address is already subscribed) goes
only to the address itself. A request never changes an active subscription; only its links can.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from dailypapers.common import ratelimit
from dailypapers.common.emails import normalize_email
from dailypapers.common.tokens import CONFIRM_LIFETIME, BadToken, Purpose, make_token, read_token
from dailypapers.config import Settings
from dailypapers.db.models import Subscriber, SubscriptionRequest, User, utcnow
from dailypapers.digest.compose import FREQUENCIES, Interests, split_list
from dailypapers.digest.mail import Outgoing, build_message
from dailypapers.digest.render import Links, Renderer
from dailypapers.digest.store import DigestStore
from dailypapers.papers.services import CategoryError, parse_category

MAX_ITEMS = 20
MAX_ITEM_CHARS = 100


class SubscriptionError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Origin:
    """Where a consent action came from, kept as proof."""

    source: str
    ip: str | None = None
    agent: str | None = None


@dataclass(frozen=True)
class Notice:
    """A mail the caller must send after committing: a confirmation, or 'already subscribed'."""

    kind: Literal["confirm", "already"]
    email: str
    frequency: str
    reader: str


def parse_preferences(
    frequency: str, categories: str, keywords: str, authors: str, like_upvoted: bool
) -> tuple[str, Interests]:
    problems = []
    if frequency not in FREQUENCIES:
        problems.append("Choose daily or weekly.")
    lists = {
        name: split_list(text, MAX_ITEMS + 1)
        for name, text in (("categories", categories), ("keywords", keywords), ("authors", authors))
    }
    for name, items in lists.items():
        if len(items) > MAX_ITEMS:
            problems.append(f"At most {MAX_ITEMS} {name}.")
        if any(len(item) > MAX_ITEM_CHARS for item in items):
            problems.append(f"Each of the {name} must be under {MAX_ITEM_CHARS} characters.")
    cats = tuple(c for text in lists["categories"] for c in text.split())
    for category in cats:
        try:
            parse_category(category)
        except CategoryError as exc:
            problems.append(f"{exc}.")
    if problems:
        raise SubscriptionError(problems)
    return frequency, Interests(cats[:MAX_ITEMS], lists["keywords"], lists["authors"], like_upvoted)


def interests_of(subscriber: Subscriber) -> Interests:
    return Interests(
        tuple(subscriber.categories.split()),
        split_list(subscriber.keywords),
        split_list(subscriber.authors),
        bool(subscriber.like_upvoted and subscriber.user_id),
    )


def _store_interests(
    subscriber: Subscriber | SubscriptionRequest, frequency: str, interests: Interests
) -> None:
    subscriber.frequency = frequency
    subscriber.categories = " ".join(interests.categories)
    subscriber.keywords = "\n".join(interests.keywords)
    subscriber.authors = "\n".join(interests.authors)
    subscriber.like_upvoted = interests.like_upvoted


def request_subscription(
    session: Session,
    email: str,
    frequency: str,
    interests: Interests,
    user: User | None,
    origin: Origin,
) -> Notice | None:
    """Record the request; the Notice says which mail to send (None: this address had enough
    mail today; the caller answers exactly as if it had been sent)."""
    normalized = normalize_email(email)
    if normalized is None:
        raise SubscriptionError(["That does not look like an email address (name@example.org)."])
    email = normalized
    ratelimit.hit(session, "subscribe", origin.ip or "unknown")
    store = DigestStore(session)
    subscriber = store.by_email(email)
    if subscriber is None:
        subscriber = Subscriber(email=email, token=secrets.token_urlsafe(16), status="pending")
        if not store.add_subscriber(subscriber):
            subscriber = store.by_email(email)  # the same address, a moment ago
            assert subscriber is not None
    session.flush()
    store.add_event(subscriber, "requested", origin.source, origin.ip, origin.agent)
    kind: Literal["confirm", "already"]
    if subscriber.status == "active":
        reader, kind = subscriber.token, "already"
    else:
        # the request waits apart: only the address's owner, by the mailed link, applies it
        asked = SubscriptionRequest(subscriber_id=subscriber.id, token=secrets.token_urlsafe(16))
        _store_interests(asked, frequency, interests)
        store.add_request(asked)
        reader, kind = asked.token, "confirm"
    if not ratelimit.mail_allowed(session, "subscription-mail", email):
        return None
    return Notice(kind, email, frequency, reader)


def _allowed(interests: Interests, user: User | None) -> Interests:
    if interests.like_upvoted and user is None:
        return Interests(interests.categories, interests.keywords, interests.authors, False)
    return interests


def subscriber_for(session: Session, key: bytes, purpose: Purpose, token: str) -> Subscriber:
    reader = read_token(key, purpose, token)
    subscriber = DigestStore(session).by_token(reader)
    if subscriber is None:
        raise BadToken("This link is not valid.")
    return subscriber


def request_for(session: Session, key: bytes, token: str) -> SubscriptionRequest:
    """The request a confirmation link names, else BadToken."""
    asked = DigestStore(session).request_by_token(read_token(key, "confirm", token))
    if asked is None:
        raise BadToken("This link is not valid.")
    return asked


def confirm(
    session: Session, key: bytes, token: str, origin: Origin, user: User | None = None
) -> Subscriber:
    """Apply the confirmed request: its interests, an active status, and the account of the
    reader confirming it when that account has this very address (never the requester's)."""
    asked = request_for(session, key, token)
    subscriber = asked.subscriber
    if asked.applied_at is not None:
        return subscriber  # a second click changes nothing
    owner = user if user is not None and owns_address(user, subscriber.email) else None
    subscriber.user_id = owner.id if owner else subscriber.user_id
    interests = Interests(
        tuple(asked.categories.split()), split_list(asked.keywords), split_list(asked.authors),
        asked.like_upvoted and subscriber.user_id is not None,
    )  # fmt: skip
    _store_interests(subscriber, asked.frequency, interests)
    subscriber.status, subscriber.status_reason = "active", None
    subscriber.confirmed_at = asked.applied_at = utcnow()
    DigestStore(session).add_event(subscriber, "confirmed", origin.source, origin.ip, origin.agent)
    return subscriber


def update_preferences(
    session: Session,
    subscriber: Subscriber,
    frequency: str,
    interests: Interests,
    origin: Origin,
) -> None:
    like = interests.like_upvoted and subscriber.user_id is not None
    _store_interests(
        subscriber,
        frequency,
        Interests(interests.categories, interests.keywords, interests.authors, like),
    )
    DigestStore(session).add_event(subscriber, "changed", origin.source, origin.ip, origin.agent)


def unsubscribe(session: Session, subscriber: Subscriber, origin: Origin) -> None:
    if subscriber.status in ("active", "pending"):
        subscriber.status = "unsubscribed"
        DigestStore(session).add_event(
            subscriber, "unsubscribed", origin.source, origin.ip, origin.agent
        )


def resubscribe(session: Session, subscriber: Subscriber, origin: Origin) -> None:
    """Undo an unsubscription from the reader's own link (their consent, by their own hand)."""
    if subscriber.status == "unsubscribed" and subscriber.confirmed_at is not None:
        subscriber.status = "active"
        DigestStore(session).add_event(
            subscriber, "resubscribed", origin.source, origin.ip, origin.agent
        )


def links_for(settings: Settings, key: bytes, reader: str) -> Links:
    base = settings.base_url
    return Links(
        base_url=base,
        manage_url=f"{base}/subscription/{make_token(key, 'manage', reader)}",
        unsubscribe_url=f"{base}/unsubscribe/{make_token(key, 'unsubscribe', reader)}",
    )


def notice_message(settings: Settings, key: bytes, renderer: Renderer, notice: Notice) -> Outgoing:
    if notice.kind == "confirm":
        token = make_token(key, "confirm", notice.reader, lifetime=CONFIRM_LIFETIME)
        url = f"{settings.base_url}/subscribe/confirm/{token}"
        rendered = renderer.confirmation(notice.email, notice.frequency, url)
    else:
        manage = links_for(settings, key, notice.reader).manage_url
        rendered = renderer.already_subscribed(notice.email, manage)
    return build_message(rendered, sender=settings.mail_from, to=notice.email)


def owns_address(user: User, email: str) -> bool:
    """The account has this address and its owner proved it by a mailed link."""
    return user.email_verified_at is not None and user.email == email


def link_account(session: Session, user: User) -> None:
    """After `user` proved their address (a mailed link), the subscription of that address, if
    any and not linked yet, becomes theirs: it shows in their data download, and "papers like the
    ones I upvoted" can use their votes. Never by a matching address alone."""
    subscriber = DigestStore(session).by_email(user.email)
    if subscriber is not None and subscriber.user_id is None and owns_address(user, user.email):
        subscriber.user_id = user.id


def subscription_data(session: Session, user: User) -> dict[str, Any] | None:
    """The digest subscription linked to an account (by a mailed link, never by an address that
    happens to match), with its consent record: for the data export."""
    store = DigestStore(session)
    subscriber = store.by_user(user.id)
    if subscriber is None:
        return None
    interests = interests_of(subscriber)
    return {
        "status": subscriber.status,
        "frequency": subscriber.frequency,
        "categories": list(interests.categories),
        "keywords": list(interests.keywords),
        "authors": list(interests.authors),
        "like_upvoted": interests.like_upvoted,
        "consent": [
            {
                "event": e.event,
                "at": e.at.isoformat() + "Z",
                "source": e.source,
                "client_ip": e.client_ip,
            }
            for e in store.events(subscriber)
        ],
    }
