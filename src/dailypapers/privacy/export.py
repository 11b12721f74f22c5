"""A user's data download: the community's records and the digest subscription, in one file."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from dailypapers.community.library import library_data
from dailypapers.community.services import account_data
from dailypapers.db.models import User
from dailypapers.digest.services import subscription_data


def export_user(session: Session, user: User) -> dict[str, Any]:
    """Everything we hold about a user, for them to download."""
    return {
        **account_data(session, user),
        "library": library_data(session, user),
        "digest": subscription_data(session, user),
    }
