"""All SQL about users, sessions and votes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dailypapers.db.inserts import insert_ignoring
from dailypapers.db.models import (
    AccountRequest,
    FeedEntry,
    Paper,
    User,
    UserSession,
    Vote,
    utcnow,
)


class CommunityStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- users --------------------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        email: str,
        password_hash: str,
        verified_at: dt.datetime | None = None,
    ) -> User | None:
        """The new user, or None when the username (in any case) or the email is taken (checked by
        the database)."""
        user = User(
            username=username,
            email=email,
            password_hash=password_hash,
            email_verified_at=verified_at,
        )
        try:
            with self.session.begin_nested():
                self.session.add(user)
        except IntegrityError:
            return None
        return user

    def user_by_login(self, login: str) -> User | None:
        """By username (any case) or email."""
        login = login.strip().lower()
        return self.session.scalar(
            select(User).where(or_(func.lower(User.username) == login, User.email == login))
        )

    def user_by_name(self, username: str) -> User | None:
        """By username, in any case ("Ada" and "ada" are one account)."""
        return self.session.scalar(
            select(User).where(func.lower(User.username) == username.strip().lower())
        )

    def user_by_email(self, email: str) -> User | None:
        return self.session.scalar(select(User).where(User.email == email))

    # --- sign-ups waiting for their link ------------------------------------------------------

    def add_account_request(self, asked: AccountRequest, keep: dt.timedelta) -> None:
        """Store a sign-up; requests older than `keep` go (their links expired long before)."""
        self.session.execute(
            delete(AccountRequest).where(AccountRequest.created_at < utcnow() - keep)
        )
        self.session.add(asked)

    def account_request(self, token: str) -> AccountRequest | None:
        return self.session.scalar(select(AccountRequest).where(AccountRequest.token == token))

    def user_by_token_hash(self, token_hash: str) -> User | None:
        return self.session.scalar(select(User).where(User.api_token_hash == token_hash))

    # --- sessions -----------------------------------------------------------------------------

    def add_session(self, user: User, token_hash: str, lifetime: dt.timedelta) -> None:
        now = utcnow()
        self.session.add(
            UserSession(
                token_hash=token_hash, user_id=user.id, created_at=now, expires_at=now + lifetime
            )
        )

    def user_for_session(self, token_hash: str) -> User | None:
        return self.session.scalar(
            select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == token_hash, UserSession.expires_at > utcnow())
        )

    def drop_session(self, token_hash: str) -> None:
        self.session.execute(delete(UserSession).where(UserSession.token_hash == token_hash))

    # --- votes --------------------------------------------------------------------------------

    def set_vote(self, user: User, paper_id: int, up: bool) -> tuple[int, int]:
        """Cast or take back `user`'s vote; the paper's counter moves in the same transaction,
        only when the vote changed. Returns (votes shown to readers, votes cast here)."""
        # RETURNING says whether a row changed: psycopg reports no rowcount (-1) for an INSERT
        # that ON CONFLICT skipped
        if up:
            connection = self.session.connection()
            insert = insert_ignoring(connection, _table(Vote), ["user_id", "paper_id"])
            row = {"user_id": user.id, "paper_id": paper_id, "created_at": utcnow()}
            changed = connection.execute(insert.returning(Vote.id), row).first() is not None
        else:
            where = (Vote.user_id == user.id, Vote.paper_id == paper_id)
            gone = self.session.execute(delete(Vote).where(*where).returning(Vote.id))
            changed = gone.first() is not None
        counts = (Paper.upvotes, Paper.community_votes)
        if changed:
            step = Paper.community_votes + (1 if up else -1)
            moved = update(Paper).where(Paper.id == paper_id).values(community_votes=step)
            upvotes, community = self.session.execute(moved.returning(*counts)).one()
        else:
            upvotes, community = self.session.execute(
                select(*counts).where(Paper.id == paper_id)
            ).one()
        return upvotes + community, community

    def votes_of(self, paper_id: int) -> tuple[int, int]:
        """(all votes shown to readers, votes cast on this instance)."""
        row = self.session.execute(
            select(Paper.upvotes, Paper.community_votes).where(Paper.id == paper_id)
        ).one()
        return row[0] + row[1], row[1]

    def count_votes_rows(self, paper_id: int) -> int:
        return self.session.scalar(select(func.count()).where(Vote.paper_id == paper_id)) or 0

    def voted_ids(self, user: User, paper_ids: list[int]) -> set[int]:
        if not paper_ids:
            return set()
        return set(
            self.session.scalars(
                select(Vote.paper_id).where(Vote.user_id == user.id, Vote.paper_id.in_(paper_ids))
            )
        )

    def submissions(self, user: User, limit: int = 200) -> list[tuple[Paper, dt.date]]:
        rows = self.session.execute(
            select(Paper, FeedEntry.feed_date)
            .join(FeedEntry, FeedEntry.paper_id == Paper.id)
            .where(FeedEntry.submitter_id == user.id)
            .order_by(FeedEntry.feed_date.desc())
            .limit(limit)
        )
        return [(paper, day) for paper, day in rows]

    def upvoted_papers(self, user: User, limit: int = 200) -> list[tuple[Paper, dt.datetime]]:
        rows = self.session.execute(
            select(Paper, Vote.created_at)
            .join(Vote, Vote.paper_id == Paper.id)
            .where(Vote.user_id == user.id)
            .order_by(Vote.created_at.desc())
            .limit(limit)
        )
        return [(paper, created) for paper, created in rows]


def _table(model: type[Vote]) -> Table:
    return model.__table__  # type: ignore[return-value]
