"""Request and response shapes of the JSON API, apart from the stored models. Paper shapes are
modelled on Hugging Face's `/api/daily_papers` (camelCase)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from dailypapers.community.services import VoteResult
from dailypapers.db.models import Paper
from dailypapers.papers.store import FeedItem


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored times are naive UTC; the API says so (RFC 3339, ending in Z like Hugging Face)."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


class AuthorOut(BaseModel):
    name: str


class SubmitterOut(BaseModel):
    fullname: str
    name: str


class PaperOut(BaseModel):
    id: str = Field(description="arXiv id without version, e.g. 2405.15738")
    title: str
    summary: str = Field(description="The abstract, as the authors wrote it (TeX kept)")
    authors: list[AuthorOut]
    publishedAt: dt.datetime | None = Field(description="When the paper appeared on arXiv (UTC)")
    submittedOnDailyAt: dt.datetime | None = None
    upvotes: int
    numComments: int = Field(
        description="Comments on the source (Hugging Face) plus visible comments posted here"
    )
    communityComments: int = Field(0, description="Of numComments, those posted here")
    githubRepo: str | None = None
    githubStars: int | None = None
    projectPage: str | None = None
    organization: str | None = None
    categories: list[str] = Field(
        default_factory=list, description="arXiv categories, primary first"
    )
    doi: str | None = None
    journalRef: str | None = None
    comments: str | None = None

    @classmethod
    def of(cls, paper: Paper, submitted_at: dt.datetime | None = None) -> PaperOut:
        return cls(
            id=paper.arxiv_id,
            title=paper.title,
            summary=paper.abstract,
            authors=[AuthorOut(name=n) for n in paper.author_names],
            publishedAt=utc(paper.published_at),
            submittedOnDailyAt=utc(submitted_at),
            upvotes=paper.votes,
            numComments=paper.comments_total,
            communityComments=paper.community_comments or 0,
            githubRepo=paper.github_repo,
            githubStars=paper.github_stars,
            projectPage=paper.project_page,
            organization=paper.organization,
            categories=(paper.categories or "").split(),
            doi=paper.doi,
            journalRef=paper.journal_ref,
            comments=paper.comments,
        )


class DailyPaperOut(BaseModel):
    paper: PaperOut
    publishedAt: dt.datetime | None = Field(description="When the paper entered the daily feed")
    feedDate: dt.date = Field(description="The feed day this entry belongs to")
    title: str
    summary: str
    numComments: int
    submittedBy: SubmitterOut | None = None

    @classmethod
    def of(cls, item: FeedItem) -> DailyPaperOut:
        paper = item.paper
        day_start = dt.datetime.combine(item.feed_date, dt.time())
        return cls(
            paper=PaperOut.of(paper, item.submitted_at),
            publishedAt=utc(item.submitted_at or day_start),
            feedDate=item.feed_date,
            title=paper.title,
            summary=paper.abstract,
            numComments=paper.comments_total,
            submittedBy=SubmitterOut(fullname=item.submitted_by, name=item.submitted_by)
            if item.submitted_by
            else None,
        )


class ErrorOut(BaseModel):
    error: str
    status: int


class VoteOut(BaseModel):
    voted: bool
    votes: int = Field(description="What readers see: imported upvotes plus votes cast here")
    communityVotes: int = Field(description="Votes cast on this instance")

    @classmethod
    def of(cls, result: VoteResult) -> VoteOut:
        return cls(voted=result.voted, votes=result.votes, communityVotes=result.community_votes)


class SubscriptionIn(BaseModel):
    email: str = Field(max_length=320)
    frequency: Literal["daily", "weekly"] = "daily"
    categories: list[str] = Field(default_factory=list, max_length=20)
    keywords: list[str] = Field(default_factory=list, max_length=20)
    authors: list[str] = Field(default_factory=list, max_length=20)
    like_upvoted: bool = False


class SubscriptionRequested(BaseModel):
    status: Literal["pending"] = "pending"
    message: str


class SubscriptionOut(BaseModel):
    email: str
    status: str
    frequency: str
    categories: list[str]
    keywords: list[str]
    authors: list[str]
    like_upvoted: bool


class ListedPaperOut(BaseModel):
    paper: PaperOut
    onFeed: bool = Field(description="Whether the paper is on the curated daily feed")
