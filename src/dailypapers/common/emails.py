"""The one rule for what counts as an email address, for accounts and digest subscriptions."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MAX_LENGTH = 320


def normalize_email(text: str) -> str:
    """The form we store and compare: trimmed and lower-cased."""
    return text.strip().lower()


def is_email(text: str) -> bool:
    return len(text) <= MAX_LENGTH and _EMAIL.match(text) is not None
