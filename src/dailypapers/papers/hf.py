"""What Hugging Face sent beyond our columns, and the images pages may show from it.

ingest/hf_daily.py keeps those fields verbatim in `papers.hf_fields` (JSON). Pages show images
from two Hugging Face CDN hosts only (thumbnails and avatars), never from an address a record
names elsewhere, and not at all when the instance turns remote images off (its CSP then allows
none)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dailypapers.db.models import Paper

THUMBNAILS = "https://cdn-thumbnails.huggingface.co"
AVATARS = "https://cdn-avatars.huggingface.co"
IMAGE_HOSTS = (THUMBNAILS, AVATARS)


def hf_fields(paper: Paper) -> dict[str, Any]:
    """The paper's kept Hugging Face fields ({} when none or unreadable)."""
    if not paper.hf_fields:
        return {}
    try:
        kept = json.loads(paper.hf_fields)
    except ValueError:
        return {}
    return kept if isinstance(kept, dict) else {}


def _on(host: str, url: object) -> str | None:
    return url if isinstance(url, str) and url.startswith(host + "/") else None


def thumbnail(kept: dict[str, Any]) -> str | None:
    """The paper's thumbnail on Hugging Face's thumbnail CDN, else None."""
    return _on(THUMBNAILS, kept.get("thumbnail"))


def organization(kept: dict[str, Any]) -> dict[str, Any]:
    """The organization object as sent ({} when none)."""
    value = kept.get("organization")
    return value if isinstance(value, dict) else {}


def submitter(kept: dict[str, Any]) -> dict[str, Any]:
    """The submitter object as sent: the item's `submittedBy`, else the paper's
    `submittedOnDailyBy` ({} when none)."""
    for key in ("submittedBy", "submittedOnDailyBy"):
        value = kept.get(key)
        if isinstance(value, dict):
            return value
    return {}


def avatar(person: dict[str, Any]) -> str | None:
    """An organization's `avatar` or a user's `avatarUrl` on the avatar CDN, else None (Hugging
    Face's generated default avatars are relative /avatars/… paths: left out)."""
    return _on(AVATARS, person.get("avatar") or person.get("avatarUrl"))


@dataclass(frozen=True)
class Images:
    """The remote images a page shows for one paper (None: none to show)."""

    thumbnail: str | None = None
    organization: str | None = None
    submitter: str | None = None


def images(paper: Paper, remote: bool = True) -> Images:
    """A paper's thumbnail, organization avatar and submitter avatar; none when `remote` is off."""
    if not remote or not paper.hf_fields:
        return Images()
    kept = hf_fields(paper)
    return Images(thumbnail(kept), avatar(organization(kept)), avatar(submitter(kept)))
