"""All SQL about subscribers, their consent record, the outbox and the papers each reader got."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dailypapers.db.inserts import insert_ignoring
from dailypapers.db.models import (
    DigestItem,
    DigestOutbox,
    Follow,
    Paper,
    PaperEmbedding,
    SavedSearch,
    Subscriber,
    SubscriptionEvent,
    SubscriptionRequest,
    Vote,
    utcnow,
)

_CHUNK = 900  # stays under SQLite's bound-parameter limit


@dataclass(frozen=True)
class PlannedDigest:
    subscriber_id: int
    frequency: str
    period: str
    content: str
    paper_ids: tuple[int, ...]


@dataclass(frozen=True)
class Claim:
    """An outbox row this sender marked 'sending', with what it needs to address the mail."""

    id: int
    subscriber_id: int
    frequency: str
    period: str
    content: str
    attempts: int
    email: str
    token: str
    subscriber_status: str


class DigestStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- subscribers --------------------------------------------------------------------------

    def by_user(self, user_id: int) -> Subscriber | None:
        return self.session.scalar(select(Subscriber).where(Subscriber.user_id == user_id))

    def by_email(self, email: str) -> Subscriber | None:
        return self.session.scalar(select(Subscriber).where(Subscriber.email == email))

    def by_token(self, token: str) -> Subscriber | None:
        return self.session.scalar(select(Subscriber).where(Subscriber.token == token))

    def add_request(self, request: SubscriptionRequest) -> None:
        self.session.add(request)
        self.session.flush()

    def request_by_token(self, token: str) -> SubscriptionRequest | None:
        return self.session.scalar(
            select(SubscriptionRequest).where(SubscriptionRequest.token == token)
        )

    def add_subscriber(self, subscriber: Subscriber) -> bool:
        """False when the address arrived at the same moment from another request."""
        try:
            with self.session.begin_nested():
                self.session.add(subscriber)
        except IntegrityError:
            return False
        return True

    def add_event(
        self, subscriber: Subscriber, event: str, source: str, ip: str | None, agent: str | None
    ) -> None:
        self.session.add(
            SubscriptionEvent(
                subscriber_id=subscriber.id,
                event=event,
                email=subscriber.email,
                source=source[:64],
                client_ip=(ip or None) and ip[:64],
                user_agent=(agent or None) and agent[:300],
            )
        )

    def events(self, subscriber: Subscriber) -> list[SubscriptionEvent]:
        return list(
            self.session.scalars(
                select(SubscriptionEvent)
                .where(SubscriptionEvent.subscriber_id == subscriber.id)
                .order_by(SubscriptionEvent.id)
            )
        )

    # --- composing ----------------------------------------------------------------------------

    def readers_without_digest(
        self, frequency: str, period: str, after_id: int, limit: int
    ) -> list[Subscriber]:
        """Active readers of `frequency` who have no outbox row for `period`, by id."""
        has_row = exists().where(
            DigestOutbox.subscriber_id == Subscriber.id,
            DigestOutbox.frequency == frequency,
            DigestOutbox.period == period,
        )
        return list(
            self.session.scalars(
                select(Subscriber)
                .where(
                    Subscriber.status == "active",
                    Subscriber.frequency == frequency,
                    Subscriber.id > after_id,
                    ~has_row,
                )
                .order_by(Subscriber.id)
                .limit(limit)
            )
        )

    def followed(self, user_ids: Sequence[int]) -> dict[int, tuple[list[str], list[str]]]:
        """Per account: the authors it follows (as spelled when followed) and the words of its
        saved searches; they join the digest's interests (issue 17)."""
        found: dict[int, tuple[list[str], list[str]]] = {}
        if not user_ids:
            return found
        authors = select(Follow.user_id, Follow.label).where(
            Follow.kind == "author", Follow.user_id.in_(list(user_ids))
        )
        for user_id, label in self.session.execute(authors.order_by(Follow.id)):
            found.setdefault(user_id, ([], []))[0].append(label)
        searches = select(SavedSearch.user_id, SavedSearch.label).where(
            SavedSearch.user_id.in_(list(user_ids))
        )
        for user_id, label in self.session.execute(searches.order_by(SavedSearch.id)):
            found.setdefault(user_id, ([], []))[1].append(label)
        return found

    def sent_papers(
        self, subscriber_ids: Sequence[int], paper_ids: Sequence[int]
    ) -> dict[int, set[int]]:
        found: dict[int, set[int]] = {}
        if not paper_ids:
            return found
        for start in range(0, len(subscriber_ids), _CHUNK):
            rows = self.session.execute(
                select(DigestItem.subscriber_id, DigestItem.paper_id).where(
                    DigestItem.subscriber_id.in_(subscriber_ids[start : start + _CHUNK]),
                    DigestItem.paper_id.in_(paper_ids),
                )
            )
            for subscriber_id, paper_id in rows:
                found.setdefault(subscriber_id, set()).add(paper_id)
        return found

    def vectors(self, paper_ids: Sequence[int], model: str) -> dict[int, bytes]:
        found: dict[int, bytes] = {}
        for start in range(0, len(paper_ids), _CHUNK):
            rows = self.session.execute(
                select(PaperEmbedding.paper_id, PaperEmbedding.vector).where(
                    PaperEmbedding.paper_id.in_(paper_ids[start : start + _CHUNK]),
                    PaperEmbedding.model == model,
                )
            )
            found.update({paper_id: vector for paper_id, vector in rows})
        return found

    def papers(self, paper_ids: Sequence[int]) -> list[Paper]:
        found: list[Paper] = []
        for start in range(0, len(paper_ids), _CHUNK):
            found.extend(
                self.session.scalars(
                    select(Paper).where(Paper.id.in_(paper_ids[start : start + _CHUNK]))
                )
            )
        return found

    def upvoted_vectors(
        self, user_ids: Sequence[int], model: str, per_user: int = 200
    ) -> dict[int, list[bytes]]:
        """The embeddings of each user's most recent upvotes."""
        found: dict[int, list[bytes]] = {}
        for start in range(0, len(user_ids), _CHUNK):
            rows = self.session.execute(
                select(Vote.user_id, PaperEmbedding.vector)
                .join(PaperEmbedding, PaperEmbedding.paper_id == Vote.paper_id)
                .where(
                    Vote.user_id.in_(user_ids[start : start + _CHUNK]),
                    PaperEmbedding.model == model,
                )
                .order_by(Vote.user_id, Vote.created_at.desc())
            )
            for user_id, vector in rows:
                vectors = found.setdefault(user_id, [])
                if len(vectors) < per_user:
                    vectors.append(vector)
        return found

    def add_digests(self, planned: Sequence[PlannedDigest]) -> int:
        """Insert outbox rows, skipping any (reader, frequency, period) that exists, and record
        the papers of the rows this call inserted. Returns how many rows it inserted."""
        if not planned:
            return 0
        now = utcnow()
        rows = [
            {
                "subscriber_id": p.subscriber_id,
                "frequency": p.frequency,
                "period": p.period,
                "status": "pending",
                "content": p.content,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for p in planned
        ]
        keys = ["subscriber_id", "frequency", "period"]
        inserted = self._insert_ignoring(DigestOutbox, rows, keys, returning=True)
        outbox_of = {subscriber_id: outbox_id for outbox_id, subscriber_id in inserted}
        items = [
            {"subscriber_id": p.subscriber_id, "paper_id": paper_id, "outbox_id": outbox_of[s]}
            for p in planned
            if (s := p.subscriber_id) in outbox_of
            for paper_id in p.paper_ids
        ]
        if items:
            self._insert_ignoring(DigestItem, items, ["subscriber_id", "paper_id"])
        return len(outbox_of)

    def _insert_ignoring(
        self, model: Any, rows: list[dict[str, Any]], keys: list[str], returning: bool = False
    ) -> list[tuple[int, int]]:
        connection = self.session.connection()
        table = model.__table__
        statement = insert_ignoring(connection, table, keys)
        if not returning:
            connection.execute(statement, rows)
            return []
        result = connection.execute(statement.returning(table.c.id, table.c.subscriber_id), rows)
        return [(row[0], row[1]) for row in result]

    # --- sending ------------------------------------------------------------------------------

    def claim_next(
        self, frequency: str, period: str, now: dt.datetime | None = None
    ) -> Claim | None:
        """Mark the next due digest 'sending' and return it (the caller commits at once).

        On PostgreSQL, FOR UPDATE SKIP LOCKED lets concurrent senders pass each other's rows; on
        both engines the conditional UPDATE makes the claim exclusive. The statements are built
        once (below): this runs once per mail, 100,000 times in a big run.
        """
        params = {"frequency": frequency, "period": period, "now": now or utcnow()}
        connection = self.session.connection()
        while True:
            candidate = connection.execute(_NEXT_DUE, params).first()
            if candidate is None:
                return None
            claimed = connection.execute(_CLAIM, {**params, "outbox_id": candidate.id}).first()
            if claimed is not None:
                return Claim(candidate.id, *claimed, *candidate[1:])

    def mark_sent(self, outbox_id: int) -> None:
        self.session.connection().execute(_SENT, {"outbox_id": outbox_id, "now": utcnow()})

    def release(self, outbox_id: int, error: str, retry_at: dt.datetime) -> None:
        """Back to pending after a transient failure: the next run (after `retry_at`) retries."""
        self._set(outbox_id, status="pending", last_error=error[:1000], next_attempt_at=retry_at)

    def cancel(self, outbox_id: int) -> None:
        """The reader left between planning and sending."""
        self._set(outbox_id, status="cancelled")

    def mark_failed(self, claim: Claim, error: str, bounce: bool = True) -> None:
        """A permanent failure: the digest is dropped and (bounce) the address gets no more mail."""
        self._set(claim.id, status="failed", last_error=error[:1000])
        if not bounce:
            return
        subscriber = self.session.get(Subscriber, claim.subscriber_id)
        if subscriber is not None and subscriber.status == "active":
            subscriber.status = "bounced"
            subscriber.status_reason = error[:1000]
            self.add_event(subscriber, "bounced", "smtp", None, None)

    def _set(self, outbox_id: int, **values: Any) -> None:
        self.session.connection().execute(
            update(DigestOutbox).where(DigestOutbox.id == outbox_id).values(**values)
        )

    def counts(self, frequency: str | None = None, period: str | None = None) -> dict[str, int]:
        query = select(DigestOutbox.status, func.count()).group_by(DigestOutbox.status)
        if frequency:
            query = query.where(DigestOutbox.frequency == frequency)
        if period:
            query = query.where(DigestOutbox.period == period)
        return {status: count for status, count in self.session.execute(query)}

    def in_flight(self) -> list[tuple[DigestOutbox, str]]:
        """Digests marked 'sending' that no sender finished: each one may or may not have gone."""
        rows = self.session.execute(
            select(DigestOutbox, Subscriber.email)
            .join(Subscriber, Subscriber.id == DigestOutbox.subscriber_id)
            .where(DigestOutbox.status == "sending")
            .order_by(DigestOutbox.id)
        )
        return [(outbox, email) for outbox, email in rows]

    def resolve(self, outbox_id: int, sent: bool) -> bool:
        """An operator's verdict on an in-flight digest (from the SMTP server's logs)."""
        values: dict[str, Any] = {"status": "sent", "sent_at": utcnow()}
        if not sent:
            values = {"status": "pending", "next_attempt_at": utcnow()}
        result = self.session.execute(
            update(DigestOutbox)
            .where(and_(DigestOutbox.id == outbox_id, DigestOutbox.status == "sending"))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1


_NEXT_DUE = (
    select(DigestOutbox.id, Subscriber.email, Subscriber.token, Subscriber.status)
    .join(Subscriber, Subscriber.id == DigestOutbox.subscriber_id)
    .where(
        DigestOutbox.status == "pending",
        DigestOutbox.frequency == bindparam("frequency"),
        DigestOutbox.period == bindparam("period"),
        DigestOutbox.next_attempt_at <= bindparam("now"),
    )
    .order_by(DigestOutbox.id)
    .limit(1)
    .with_for_update(skip_locked=True, of=DigestOutbox)
)
_CLAIM = (
    update(DigestOutbox)
    .where(DigestOutbox.id == bindparam("outbox_id"), DigestOutbox.status == "pending")
    .values(status="sending", sending_at=bindparam("now"), attempts=DigestOutbox.attempts + 1)
    .returning(
        DigestOutbox.subscriber_id,
        DigestOutbox.frequency,
        DigestOutbox.period,
        DigestOutbox.content,
        DigestOutbox.attempts,
    )
)
_SENT = (
    update(DigestOutbox)
    .where(DigestOutbox.id == bindparam("outbox_id"))
    .values(status="sent", sent_at=bindparam("now"), last_error=None)
)
