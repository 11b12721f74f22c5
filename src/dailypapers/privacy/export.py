"""A user's data download: the community's records and the digest subscription, in one file."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dailypapers.community import follows
from dailypapers.community.library import library_data
from dailypapers.community.services import account_data
from dailypapers.db.models import User
from dailypapers.digest.services import subscription_data


def export_user(session: Session, user: User) -> dict[str, Any]:
    """Everything we hold about a user, for them to download."""
    return {
        **account_data(session, user),
        "library": library_data(session, user),
        "follows": [
            {"kind": f.kind, "name": f.label, "since": f.created_at.isoformat()}
            for f in follows.follows_of(session, user)
        ],
        "saved_searches": [
            {"search": f"/search?{s.query}", "since": s.created_at.isoformat()}
            for s in follows.searches_of(session, user)
        ],
        "digest": subscription_data(session, user),
    }
