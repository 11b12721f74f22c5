"""SQLAlchemy models: the one schema shared by SQLite and PostgreSQL.

Datetimes are stored as naive UTC.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Paper(Base):
    __tablename__ = "papers"
    __table_args__ = (Index("ix_papers_published_at", "published_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    abstract: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    github_repo: Mapped[str | None] = mapped_column(String(500))
    github_stars: Mapped[int | None] = mapped_column(Integer)
    project_page: Mapped[str | None] = mapped_column(String(500))
    organization: Mapped[str | None] = mapped_column(String(300))  # its full name, as shown
    # the organization's handle on Hugging Face ("Tsinghua"): /api/daily_papers and pages by it
    organization_name: Mapped[str | None] = mapped_column(String(100), index=True)
    # what Hugging Face sends beyond our columns, verbatim JSON (never its AI text): the
    # organization and submitter objects, authors with their ids, discussionId, thumbnail,
    # mediaUrls, githubRepoAddedBy, isAuthorParticipating (ingest/hf_daily.py HF_KEPT)
    hf_fields: Mapped[str | None] = mapped_column(Text)
    primary_category: Mapped[str | None] = mapped_column(String(64))
    categories: Mapped[str | None] = mapped_column(String(500))  # space-separated, like arXiv
    arxiv_updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    comments: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(String(500))
    doi: Mapped[str | None] = mapped_column(String(200))
    upvotes: Mapped[int] = mapped_column(Integer, default=0)  # as counted by the source
    # votes cast here; kept in step with the votes table in the voting transaction
    community_votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    num_comments: Mapped[int] = mapped_column(Integer, default=0)  # on the source (Hugging Face)
    # visible comments posted here; recounted in the transaction that adds, deletes or hides one
    community_comments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the source data was observed; an older observation never overwrites a newer one.
    observed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    authors: Mapped[list[PaperAuthor]] = relationship(
        order_by="PaperAuthor.position", cascade="all, delete-orphan", lazy="selectin"
    )
    feed_entries: Mapped[list[FeedEntry]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="FeedEntry.feed_date"
    )

    @property
    def votes(self) -> int:
        """What readers see: the source's upvotes plus this instance's own."""
        return (self.upvotes or 0) + (self.community_votes or 0)

    @property
    def comments_total(self) -> int:
        """What cards, pages, the API and feeds count: the source's comments plus this
        instance's visible ones (each place that shows it can break it down)."""
        return (self.num_comments or 0) + (self.community_comments or 0)

    @property
    def author_names(self) -> list[str]:
        return [a.name for a in self.authors]


class PaperAuthor(Base):
    __tablename__ = "paper_authors"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # first initial + family name, no case or accents (papers/authors.py): finds every spelling
    name_key: Mapped[str | None] = mapped_column(String(120), index=True)


# a query that is an author's name finds their papers by this (migration 0011)
Index("ix_paper_authors_name_lower", func.lower(PaperAuthor.name))


class FeedEntry(Base):
    """A paper's appearance on the daily feed of one day."""

    __tablename__ = "feed_entries"
    __table_args__ = (
        UniqueConstraint("paper_id", "feed_date", name="uq_feed_entries_paper_day"),
        Index("ix_feed_entries_feed_date", "feed_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    feed_date: Mapped[dt.date] = mapped_column(Date)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    submitted_by: Mapped[str | None] = mapped_column(String(300))
    # the submitter's handle (Hugging Face `name`, or the local username): ?submitter= filters it
    submitter_name: Mapped[str | None] = mapped_column(String(100), index=True)
    source: Mapped[str] = mapped_column(String(32), default="hf-daily")
    submitter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    paper: Mapped[Paper] = relationship(back_populates="feed_entries")


class HarvestCheckpoint(Base):
    """Where a paged harvest stands; committed with the page's papers, so a crash resumes."""

    __tablename__ = "harvest_checkpoints"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    resumption_token: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Meta(Base):
    """Small key/value facts about the instance (e.g. which demo set is loaded)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class PaperEmbedding(Base):
    """A paper's embedding; `id` grows with every write so readers can load only what is new."""

    __tablename__ = "paper_embeddings"
    # counting a model's embeddings from the index, not from rows of ~7.5 KB (migration 0016)
    __table_args__ = (Index("ix_paper_embeddings_model", "model"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), unique=True)
    model: Mapped[str] = mapped_column(String(64))
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    # float16 matrix, one row per abstract sentence, for the re-ranking stage
    sentence_vectors: Mapped[bytes | None] = mapped_column(LargeBinary)


class SearchChange(Base):
    """A paper whose text changed (or that was added or deleted), appended in the same
    transaction as the change. Every host's lexical index reads the log after its own cursor
    (`txid`, `seq`); applied rows are pruned (search/store.py)."""

    __tablename__ = "search_changes"
    __table_args__ = (
        Index("ix_search_changes_txid_seq", "txid", "seq"),
        {"sqlite_autoincrement": True},  # a seq is never reused, even after pruning
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(Integer)
    # PostgreSQL: the writing transaction's id (migration 0015's default), so a reader never
    # passes a change whose transaction has not committed yet; SQLite has one writer: 0.
    txid: Mapped[int] = mapped_column(BigInteger, server_default="0")
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    is_banned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # set when the owner opened a mailed link; None for accounts made before verification existed
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# "Ada" and "ada" are one name: unique ignoring case (migration 0010)
Index("ux_users_username_lower", func.lower(User.username), unique=True)


class AccountRequest(Base):
    """A sign-up waiting for its mailed link: the account exists only once the address's owner
    opens it, so nobody can hold an address they do not read, and the sign-up form answers the
    same whether or not an address has an account."""

    __tablename__ = "account_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # signed into the mailed link
    username: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UserSession(Base):
    """A signed-in browser; only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("user_id", "paper_id", name="uq_votes_user_paper"),
        Index("ix_votes_paper_id", "paper_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ReadingItem(Base):
    """A paper on a reader's reading list; `read_at` once they marked it read."""

    __tablename__ = "reading_list"
    __table_args__ = (Index("ix_reading_list_user_added", "user_id", "added_at"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Collection(Base):
    """A reader's named set of papers: private unless made public (then it has a page, an Atom
    feed and a JSON twin anyone can read)."""

    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_collections_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CollectionItem(Base):
    __tablename__ = "collection_items"
    __table_args__ = (Index("ix_collection_items_paper_id", "paper_id"),)

    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PaperNote(Base):
    """A reader's private Markdown note on a paper (one per paper)."""

    __tablename__ = "paper_notes"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Follow(Base):
    """A reader follows an author (by name key, with the name as they chose it) or an
    organization (by handle)."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key", name="uq_follows_user_kind_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "author" | "organization"
    key: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SavedSearch(Base):
    """A search a reader saved: its new results come in their digest and a feed."""

    __tablename__ = "saved_searches"
    __table_args__ = (UniqueConstraint("user_id", "query", name="uq_saved_searches_user_query"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    query: Mapped[str] = mapped_column(String(1000))  # the search page's query string
    label: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Comment(Base):
    """A comment on a paper; replies are one level deep (parent is a top-level comment)."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_paper_id", "paper_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised once, at write time
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

    author: Mapped[User] = relationship(lazy="joined")
    paper: Mapped[Paper] = relationship(lazy="joined")


class RateEvent(Base):
    """One counted action (a sign-in attempt, a vote...) for sliding-window rate limits."""

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Subscriber(Base):
    """A digest reader: one per address. Interests are stored as the reader wrote them."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    # random, unique; signed into every link so a link names the reader without showing the address
    token: Mapped[str] = mapped_column(String(64), unique=True)
    # pending | active | unsubscribed | bounced
    status: Mapped[str] = mapped_column(String(16), default="pending")
    frequency: Mapped[str] = mapped_column(String(16), default="daily")  # daily|weekly
    categories: Mapped[str] = mapped_column(Text, default="")  # space-separated arXiv categories
    keywords: Mapped[str] = mapped_column(Text, default="")  # one per line
    authors: Mapped[str] = mapped_column(Text, default="")  # one per line
    like_upvoted: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status_reason: Mapped[str | None] = mapped_column(Text)


class SubscriptionEvent(Base):
    """The consent record: each request, confirmation, change and unsubscription, and its source."""

    __tablename__ = "subscription_events"
    __table_args__ = (Index("ix_subscription_events_subscriber", "subscriber_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    event: Mapped[str] = mapped_column(String(32))
    email: Mapped[str] = mapped_column(String(320))  # the address at the time
    source: Mapped[str] = mapped_column(String(64))  # web form, api, one-click header, smtp...
    client_ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class DigestOutbox(Base):
    """One digest for one reader and period; the unique key is what makes sending exactly-once."""

    __tablename__ = "digest_outbox"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "frequency", "period", name="uq_digest_outbox_period"),
        # the sender's "next due row": equality on three columns, then in id order (no sort)
        Index("ix_digest_outbox_due", "status", "frequency", "period", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    frequency: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(16))  # 2026-11-27 or 2026-W48
    # pending -> sending (marked before SMTP) -> sent | failed; sending after a crash = unknown
    status: Mapped[str] = mapped_column(String(16), default="pending")
    content: Mapped[str] = mapped_column(Text)  # JSON: the composed digest (paper ids + reasons)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sending_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class DigestItem(Base):
    """A paper given to a reader in a digest; the key makes sure no paper reaches a reader twice."""

    __tablename__ = "digest_items"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True
    )
    outbox_id: Mapped[int] = mapped_column(ForeignKey("digest_outbox.id", ondelete="CASCADE"))


class Job(Base):
    """A scheduled job's lease: whoever holds an unexpired lease is the one process running it."""

    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


class JobRun(Base):
    """One run of a job: when, by whom, how it ended and what it did (for status and /admin)."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(50))
    owner: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(20), default="running")  # ok, nothing, failed
    new: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)


class SubscriptionRequest(Base):
    """What someone asked for an address: applied only when the address's owner confirms it, so
    a request never changes a subscription (its interests, status or account) by itself."""

    __tablename__ = "subscription_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)  # signed into the confirm link
    frequency: Mapped[str] = mapped_column(String(16))
    categories: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    authors: Mapped[str] = mapped_column(Text, default="")
    like_upvoted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    subscriber: Mapped[Subscriber] = relationship(lazy="joined")
