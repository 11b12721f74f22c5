"""The Kaggle/Cornell arXiv metadata snapshot (`arxiv-metadata-oai-snapshot.json`, JSON lines,
optionally gzip-compressed): parse a line (pure), stream a file (I/O) in constant memory."""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dailypapers.ingest.hf_daily import Parsed, parse_json_line
from dailypapers.papers.records import (
    PaperRecord,
    RecordError,
    normalize_space,
    optional_text,
    parse_timestamp,
    split_arxiv_id,
)


def parse_line(line: str, source: str) -> Parsed:
    return parse_json_line(line, source, record_from_row)


def record_from_row(row: dict[str, Any]) -> PaperRecord:
    arxiv_id, _ = split_arxiv_id(str(row.get("id") or ""))
    title = normalize_space(row.get("title"))
    if not title:
        raise RecordError(f"{arxiv_id}: missing title")
    versions = row.get("versions") or []
    categories = str(row.get("categories") or "").split()
    published = _rfc2822(versions[0].get("created")) if versions else None
    updated = parse_timestamp(row.get("update_date")) if row.get("update_date") else None
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=_version(versions),
        title=title,
        abstract=normalize_space(row.get("abstract")),
        authors=_authors(row),
        published_at=published,
        arxiv_updated_at=updated,
        primary_category=categories[0] if categories else None,
        categories=" ".join(categories) or None,
        comments=optional_text(normalize_space(row.get("comments")), 5000),
        journal_ref=optional_text(normalize_space(row.get("journal-ref"))),
        doi=optional_text(row.get("doi"), 200),
        feed_date=None,  # arXiv lists papers; only the curated feed puts them on a day
        observed_at=updated,
        source="arxiv-snapshot",
    )


def _version(versions: list[dict[str, Any]]) -> int | None:
    try:
        return max(int(str(v.get("version", "")).lstrip("v")) for v in versions)
    except ValueError:
        return None


_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def _rfc2822(value: Any) -> Any:
    """'Mon, 2 Apr 2007 19:18:42 GMT' as a naive UTC datetime, None when unreadable."""
    if not isinstance(value, str):
        return None
    parts = value.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS:  # every snapshot line
        try:  # a fifth of email.utils' time, which a line spent 5% of its parse in
            hour, minute, second = parts[4].split(":")
            return dt.datetime(
                int(parts[3]), _MONTHS[parts[2]], int(parts[1]), int(hour), int(minute), int(second)
            )
        except ValueError:
            pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed.replace(tzinfo=None)


def _authors(row: dict[str, Any]) -> tuple[str, ...]:
    parsed = row.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if isinstance(parts, list) and parts:
                last, first, suffix = (list(parts) + ["", "", ""])[:3]
                names.append(normalize_space(f"{first} {last} {suffix}"))
        return tuple(n for n in names if n)
    raw = str(row.get("authors") or "")
    return tuple(normalize_space(a) for a in raw.replace(" and ", ", ").split(",") if a.strip())


Progress = Callable[[int, int], None]  # (lines read, bytes of the file read so far)
PROGRESS_EVERY = 1000  # lines


def read_snapshot(
    path: Path, skip_lines: int = 0, progress: Progress | None = None
) -> Iterator[tuple[int, Parsed]]:
    """(line number, record or issue) for every non-blank line after `skip_lines`.

    `progress` hears every PROGRESS_EVERY lines, and at the end, how far into the file on disk
    the reading is (compressed bytes for a .gz; read ahead by a buffer at most), so that a
    4 GB snapshot's import can show how much is left."""
    with path.open("rb") as raw:
        compressed = path.name.endswith(".gz")
        decoded = gzip.GzipFile(fileobj=raw) if compressed else raw
        with io.TextIOWrapper(decoded, encoding="utf-8") as handle:
            number = 0
            for number, line in enumerate(handle, start=1):
                if progress and number % PROGRESS_EVERY == 0:
                    progress(number, raw.tell())
                if number <= skip_lines or not line.strip():
                    continue
                yield number, parse_line(line, f"{path}:{number}")
            if progress:
                progress(number, raw.tell())
