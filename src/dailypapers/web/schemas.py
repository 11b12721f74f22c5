"""Request and response shapes of the JSON API, apart from the stored models. Paper shapes are
modelled on Hugging Face's `/api/daily_papers` (camelCase)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dailypapers.community.services import VoteResult
from dailypapers.db.models import Paper
from dailypapers.papers.hf import hf_fields
from dailypapers.papers.records import normalize_space, web_url
from dailypapers.papers.store import FeedItem


def hf_time(value: dt.datetime | None) -> str | None:
    """Hugging Face's time format: UTC with milliseconds and Z (2026-06-25T00:00:00.000Z)."""
    if value is None:
        return None
    value = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _unicode(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


# our own timestamps in answers: stored naive in UTC, sent as RFC 3339 with their zone
UtcTime = Annotated[dt.datetime, AfterValidator(_utc)]
# text a JSON body carries (JSON may escape lone surrogates, which no database stores)
Text = Annotated[str, AfterValidator(_unicode)]


class HfObject(BaseModel):
    """An object Hugging Face nests (author, organization, user): its keys pass through as sent,
    its `_id` too where Hugging Face gave one."""

    model_config = ConfigDict(extra="allow")


class AuthorOut(HfObject):
    name: str
    hidden: bool = False


class OrganizationOut(HfObject):
    name: str = Field(description="Its handle on Hugging Face (/organizations/{name})")
    fullname: str
    avatar: str | None = None


class SubmitterOut(HfObject):
    name: str = Field(description="The submitter's handle (`submitter=` filters by it)")
    fullname: str
    user: str | None = None
    avatarUrl: str | None = None
    type: str = "user"


def _submitter(stored: Any, fullname: str | None, handle: str | None) -> SubmitterOut | None:
    if isinstance(stored, dict) and stored.get("name"):
        return SubmitterOut.model_validate(stored)
    if not (handle or fullname):
        return None
    name = handle or fullname or ""
    return SubmitterOut(name=name, fullname=fullname or name, user=name)


def _organization(stored: Any, fullname: str | None, handle: str | None) -> OrganizationOut | None:
    if isinstance(stored, dict) and stored.get("name"):
        return OrganizationOut.model_validate(stored)
    if not fullname:
        return None
    return OrganizationOut(name=handle or fullname, fullname=fullname)


class PaperOut(BaseModel):
    """One paper in Hugging Face's shape (keys, nesting, types, time format); our additions
    (categories, communityVotes, communityComments, doi, journalRef, arxivComments) under keys
    of their own. Hugging Face's AI summary and keywords are never stored or sent."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description="arXiv id without version, e.g. 2405.15738")
    authors: list[AuthorOut]
    mediaUrls: list[str] | None = None
    publishedAt: str | None = Field(description="When the paper appeared on arXiv (UTC)")
    submittedOnDailyAt: str | None = None
    title: str
    submittedOnDailyBy: SubmitterOut | None = None
    summary: str = Field(description="The abstract, as the authors wrote it (TeX kept)")
    upvotes: int = Field(description="Upvotes on the source plus votes cast here")
    discussionId: str | None = None
    projectPage: str | None = None
    githubRepo: str | None = None
    githubRepoAddedBy: str | None = None
    githubStars: int | None = None
    organization: OrganizationOut | None = None
    numComments: int = Field(
        description="Comments on the source (Hugging Face) plus visible comments posted here"
    )
    communityVotes: int = Field(0, description="Of upvotes, those cast here")
    communityComments: int = Field(0, description="Of numComments, those posted here")
    categories: list[str] = Field(
        default_factory=list, description="arXiv categories, primary first"
    )
    doi: str | None = None
    journalRef: str | None = None
    arxivComments: str | None = Field(None, description="The authors' arXiv comment line")

    @classmethod
    def of(
        cls,
        paper: Paper,
        submitted_at: dt.datetime | None = None,
        submitted_by: str | None = None,
        submitter_name: str | None = None,
        kept: dict[str, Any] | None = None,
    ) -> PaperOut:
        """`kept`: the paper's hf_fields when the caller has parsed them already."""
        kept = hf_fields(paper) if kept is None else kept
        authors = _hf_authors(kept.get("authors"), paper.author_names) or [
            AuthorOut(name=n) for n in paper.author_names
        ]
        return cls(
            id=paper.arxiv_id,
            authors=authors,
            mediaUrls=kept.get("mediaUrls"),
            publishedAt=hf_time(paper.published_at),
            submittedOnDailyAt=hf_time(submitted_at),
            title=paper.title,
            submittedOnDailyBy=_submitter(
                kept.get("submittedOnDailyBy"), submitted_by, submitter_name
            ),
            summary=paper.abstract,
            upvotes=paper.votes,
            discussionId=kept.get("discussionId"),
            projectPage=paper.project_page,
            githubRepo=paper.github_repo,
            githubRepoAddedBy=kept.get("githubRepoAddedBy"),
            githubStars=paper.github_stars,
            organization=_organization(
                kept.get("organization"), paper.organization, paper.organization_name
            ),
            numComments=paper.comments_total,
            communityVotes=paper.community_votes or 0,
            communityComments=paper.community_comments or 0,
            categories=(paper.categories or "").split(),
            doi=paper.doi,
            journalRef=paper.journal_ref,
            arxivComments=paper.comments,
        )


class PaperDetailOut(PaperOut):
    """/api/papers/{id}: the paper, and the linked repositories Hugging Face lists (none here)."""

    linkedModels: list[dict[str, Any]] = Field(default_factory=list)
    numTotalModels: int = 0
    linkedDatasets: list[dict[str, Any]] = Field(default_factory=list)
    numTotalDatasets: int = 0
    linkedSpaces: list[dict[str, Any]] = Field(default_factory=list)
    numTotalSpaces: int = 0


class DailyPaperOut(BaseModel):
    """One item of /api/daily_papers, in Hugging Face's shape, plus `feedDate`."""

    paper: PaperOut
    publishedAt: str | None = Field(description="When the paper entered the daily feed")
    title: str
    summary: str
    mediaUrls: list[str] | None = None
    thumbnail: str | None = None
    numComments: int
    submittedBy: SubmitterOut | None = None
    organization: OrganizationOut | None = None
    isAuthorParticipating: bool = False
    feedDate: dt.date = Field(description="The feed day this entry belongs to")

    @classmethod
    def of(cls, item: FeedItem) -> DailyPaperOut:
        paper = item.paper
        kept = hf_fields(paper)
        out = PaperOut.of(paper, item.submitted_at, item.submitted_by, item.submitter_name, kept)
        day_start = dt.datetime.combine(item.feed_date, dt.time())
        return cls(
            paper=out,
            publishedAt=hf_time(item.submitted_at or day_start),
            title=paper.title,
            summary=paper.abstract,
            mediaUrls=kept.get("mediaUrls"),
            thumbnail=web_url(kept["thumbnail"])
            if isinstance(kept.get("thumbnail"), str)
            else None,
            numComments=paper.comments_total,
            submittedBy=_submitter(kept.get("submittedBy"), None, None) or out.submittedOnDailyBy,
            organization=out.organization,
            isAuthorParticipating=bool(kept.get("isAuthorParticipating")),
            feedDate=item.feed_date,
        )


def _hf_authors(sent: object, names: list[str]) -> list[AuthorOut] | None:
    """Hugging Face's author objects, hidden ones included as it lists them, while their shown
    names are still the paper's authors (a newer source, arXiv's, may have changed the list)."""
    if not isinstance(sent, list) or not all(isinstance(a, dict) for a in sent):
        return None
    shown = [normalize_space(str(a.get("name", ""))) for a in sent if a.get("hidden") is not True]
    if shown != list(names):
        return None
    return [AuthorOut.model_validate(a) for a in sent]


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
