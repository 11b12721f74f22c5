"""The source-independent paper record every importer produces, and its normalisation (pure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_NEW_ID = re.compile(r"^(\d{4}\.\d{4,5})(?:v(\d+))?$")
_OLD_ID = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v(\d+))?$")
_PREFIXES = ("arxiv:", "https://arxiv.org/abs/", "http://arxiv.org/abs/", "https://arxiv.org/pdf/")
# Control characters XML and HTML cannot carry (the whitespace ones are split() away first).
_CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFFFE, 0xFFFF])
_CONTROL_FOUND = re.compile("[" + "".join(re.escape(chr(c)) for c in _CONTROL) + "]")


class RecordError(ValueError):
    """A source record that cannot become a paper; the message says why."""


@dataclass(frozen=True)
class PaperRecord:
    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    version: int | None = None
    published_at: dt.datetime | None = None
    feed_date: dt.date | None = None
    submitted_at: dt.datetime | None = None
    submitted_by: str | None = None
    submitter_name: str | None = None  # the submitter's handle (Hugging Face `name`)
    upvotes: int | None = None
    num_comments: int | None = None
    github_repo: str | None = None
    github_stars: int | None = None
    project_page: str | None = None
    organization: str | None = None
    organization_name: str | None = None  # the organization's handle on Hugging Face
    hf_fields: str | None = None  # Hugging Face's other fields, JSON (sorted keys)
    primary_category: str | None = None
    categories: str | None = None  # space-separated, primary first
    arxiv_updated_at: dt.datetime | None = None
    comments: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    observed_at: dt.datetime | None = None
    source: str = "hf-daily"
    extra: dict[str, str] = field(default_factory=dict, compare=False)


def split_arxiv_id(raw: str) -> tuple[str, int | None]:
    """Return (canonical id, version) of a new- or old-style arXiv id, or raise RecordError."""
    text = (raw or "").strip()
    lowered = text.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            break
    text = text.removesuffix(".pdf")
    match = _NEW_ID.match(text) or _OLD_ID.match(text)
    if not match:
        raise RecordError(f"not an arXiv id: {raw!r}")
    version = int(match.group(2)) if match.group(2) else None
    return match.group(1), version


def normalize_space(text: str | None) -> str:
    """Collapse runs of whitespace (arXiv's hard line breaks) into single spaces; TeX is kept.
    Control characters go (vertical tab, form feed and the separators count as spaces). A lone
    surrogate (broken UTF-16 in the source) makes the record unreadable, not the batch."""
    cleaned = " ".join((text or "").split())
    if cleaned.isprintable():  # no control character and no surrogate: nearly every text
        return cleaned
    if _CONTROL_FOUND.search(cleaned):
        cleaned = " ".join(cleaned.translate(_CONTROL).split())
    try:
        cleaned.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RecordError(
            f"text with a broken character at {exc.start}: {cleaned[:40]!r}"
        ) from None
    return cleaned


def parse_timestamp(value: object) -> dt.datetime | None:
    """Parse an ISO-8601 timestamp into naive UTC; None for empty values, RecordError for junk."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"not a timestamp: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RecordError(f"not a timestamp: {value!r}") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def parse_day(value: object) -> dt.date:
    if not isinstance(value, str):
        raise RecordError(f"not a date: {value!r}")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise RecordError(f"not a date: {value!r}") from exc


def optional_int(value: object, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordError(f"{name} is not a number: {value!r}")
    try:
        number = int(value)
    except ValueError as exc:
        raise RecordError(f"{name} is not a number: {value!r}") from exc
    if number < 0:
        raise RecordError(f"{name} is negative: {value!r}")
    return number


def optional_text(value: object, limit: int = 500) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def web_url(value: str | None) -> str | None:
    """An http(s) URL, or None: links from imported data become `href`s, and `javascript:` or
    `data:` must never reach one (the CSP was the only thing stopping them)."""
    text = (value or "").strip()
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or any(c.isspace() for c in text):
        return None
    return text


def optional_url(value: object) -> str | None:
    return web_url(optional_text(value))
