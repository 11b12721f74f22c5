"""Hugging Face `/api/daily_papers` responses and the JSON-lines archive form.

Parsing is pure (`parse_response`, `parse_jsonl_line`); `read_path` does the file I/O. Every record
comes out either as a PaperRecord or as an Issue naming the file and position, so one bad record
never stops the rest of a batch.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import gzip
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from dailypapers.papers.records import (
    PaperRecord,
    RecordError,
    normalize_space,
    optional_int,
    optional_text,
    optional_url,
    parse_day,
    parse_timestamp,
    split_arxiv_id,
)

_DAY_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Issue:
    """A record (or whole file) that could not be read, and where it was."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


Parsed = PaperRecord | Issue


def feed_day_of(item: dict[str, Any], response_day: dt.date | None) -> dt.date | None:
    """The day a paper entered the feed: `submittedOnDailyAt` (UTC), else the response's day."""
    paper = item.get("paper") or {}
    submitted = parse_timestamp(paper.get("submittedOnDailyAt"))
    if submitted is not None:
        return submitted.date()
    return response_day


def record_from_item(
    item: object, response_day: dt.date | None, observed_at: dt.datetime | None
) -> PaperRecord:
    """Turn one daily_papers item (a dict, or the Python-repr string of one) into a record."""
    if isinstance(item, str):
        item = _literal(item)
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise RecordError("item has no 'paper' object")
    paper = item["paper"]
    arxiv_id, version = split_arxiv_id(str(paper.get("id", "")))
    title = normalize_space(paper.get("title") or item.get("title"))
    if not title:
        raise RecordError(f"{arxiv_id}: missing title")
    submitter = item.get("submittedBy") or paper.get("submittedOnDailyBy") or {}
    organization = item.get("organization") or paper.get("organization") or {}
    handle = submitter.get("name") or submitter.get("user") if isinstance(submitter, dict) else None
    org_handle = organization.get("name") if isinstance(organization, dict) else None
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=normalize_space(paper.get("summary") or item.get("summary")),
        authors=_author_names(paper.get("authors")),
        published_at=parse_timestamp(paper.get("publishedAt")),
        feed_date=feed_day_of(item, response_day),
        submitted_at=parse_timestamp(paper.get("submittedOnDailyAt") or item.get("publishedAt")),
        submitted_by=optional_text(submitter.get("fullname") or submitter.get("name"), 300)
        if isinstance(submitter, dict)
        else None,
        submitter_name=optional_text(handle, 100),
        upvotes=optional_int(paper.get("upvotes"), "upvotes"),
        num_comments=optional_int(item.get("numComments"), "numComments"),
        github_repo=optional_url(paper.get("githubRepo")),
        github_stars=optional_int(paper.get("githubStars"), "githubStars"),
        project_page=optional_url(paper.get("projectPage")),
        organization=optional_text(organization.get("fullname") or organization.get("name"), 300)
        if isinstance(organization, dict)
        else None,
        organization_name=optional_text(org_handle, 100),
        hf_fields=kept_fields(item),
        observed_at=observed_at,
    )


# What Hugging Face sends that our columns do not hold, kept verbatim (paper-level keys first,
# then the item's); never its AI text (ai_summary, ai_keywords, ai_summary_model).
HF_KEPT = (
    "authors", "discussionId", "mediaUrls", "thumbnail", "githubRepoAddedBy",
    "isAuthorParticipating", "organization", "submittedOnDailyBy", "submittedBy",
)  # fmt: skip


def kept_fields(item: dict[str, Any]) -> str | None:
    """The HF_KEPT fields of one daily_papers item as sorted JSON, or None when it has none."""
    paper = item.get("paper") or {}
    kept: dict[str, Any] = {}
    for key in HF_KEPT:
        value = item.get(key) if key == "submittedBy" else paper.get(key, item.get(key))
        if key == "mediaUrls" and value is None and item.get("mediaUrl"):
            value = [item["mediaUrl"]]
        if value not in (None, "", []):
            kept[key] = value
    return json.dumps(kept, sort_keys=True, ensure_ascii=False) if kept else None


def parse_response(
    data: object,
    source: str,
    response_day: dt.date | None,
    observed_at: dt.datetime | None = None,
) -> Iterator[Parsed]:
    """Parse one response: a list of items or of repr strings, or a {"data": [...]} wrapper.
    `observed_at`: when it was fetched (a live fetch); default the end of its day (a file)."""
    if isinstance(data, dict) and "data" in data:
        wrapper_day = data.get("date")
        if response_day is None and isinstance(wrapper_day, str):
            with contextlib.suppress(RecordError):
                response_day = parse_day(wrapper_day)
        data = data["data"]
    if not isinstance(data, list):
        yield Issue(source, "not a daily_papers response (expected a list of papers)")
        return
    observed_at = observed_at or _end_of(response_day)
    for position, item in enumerate(data):
        try:
            yield record_from_item(item, response_day, observed_at)
        except RecordError as exc:
            yield Issue(f"{source}[{position}]", str(exc))


def parse_json_line(
    line: str, source: str, to_record: Callable[[dict[str, Any]], PaperRecord]
) -> Parsed:
    """One JSON-lines row turned into a record by `to_record`, or an Issue saying why not."""
    try:
        try:
            row = orjson.loads(line)  # a third of json's time: 0.35 s per 100k snapshot lines
        except orjson.JSONDecodeError:
            # json reads what orjson refuses (NaN, lone surrogates, integers past 64 bits), and
            # where a line is really broken, its message says where as before
            row = json.loads(line)
        if not isinstance(row, dict):
            raise RecordError("line is not a JSON object")
        return to_record(row)
    except json.JSONDecodeError as exc:
        return Issue(source, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecordError as exc:
        return Issue(source, str(exc))


def parse_jsonl_line(line: str, source: str) -> Parsed:
    """Parse one line of the flattened archive (papers.jsonl / the bundled demo set)."""
    return parse_json_line(line, source, _record_from_row)


def _record_from_row(row: dict[str, Any]) -> PaperRecord:
    arxiv_id, version = split_arxiv_id(str(row.get("arxiv_id", "")))
    title = normalize_space(row.get("title"))
    if not title:
        raise RecordError(f"{arxiv_id}: missing title")
    submitted_at = parse_timestamp(row.get("submitted_on_daily_at"))
    response_day = parse_day(row["daily_date"]) if row.get("daily_date") else None
    authors = row.get("authors") or []
    if not isinstance(authors, list):
        raise RecordError(f"{arxiv_id}: authors is not a list")
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=normalize_space(row.get("abstract")),
        authors=tuple(normalize_space(str(a)) for a in authors if str(a).strip()),
        published_at=parse_timestamp(row.get("published_at")),
        feed_date=submitted_at.date() if submitted_at else response_day,
        submitted_at=submitted_at,
        submitted_by=optional_text(row.get("submitted_by"), 300),
        submitter_name=optional_text(row.get("submitted_by"), 100),  # the archive keeps handles
        upvotes=optional_int(row.get("upvotes"), "upvotes"),
        num_comments=optional_int(row.get("num_comments"), "num_comments"),
        github_repo=optional_url(row.get("github_repo")),
        github_stars=optional_int(row.get("github_stars"), "github_stars"),
        project_page=optional_url(row.get("project_page")),
        organization=optional_text(row.get("organization"), 300),
        observed_at=_end_of(response_day),
    )


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Expand folders into their .json/.jsonl(.gz) files, sorted so older days import first."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _is_supported(p.name))
        else:
            yield path


def read_path(path: Path) -> Iterator[Parsed]:
    """Read one file (JSON response or JSON lines, optionally gzip-compressed). A file of
    another kind (a `dailypapers export` dump, an arXiv snapshot, XML) is one Issue saying so."""
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            if ".jsonl" in path.name:
                for number, line in enumerate(handle, start=1):
                    if number == 1 and (kind := other_kind(line)):
                        yield Issue(str(path), kind)
                        return
                    if line.strip():
                        yield parse_jsonl_line(line, f"{path}:{number}")
                return
            text = handle.read()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        yield Issue(str(path), f"cannot read file: {exc}")
        return
    if kind := other_kind(text[:2000]):
        yield Issue(str(path), kind)
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield Issue(f"{path}:{exc.lineno}", f"invalid JSON: {exc.msg}")
        return
    yield from parse_response(data, str(path), _day_from_name(path.name))


def other_kind(start: str) -> str | None:
    """What a file is when its start shows it is not Hugging Face's daily papers: the advice."""
    head = start.lstrip()[:2000]
    if head.startswith("<"):
        return "XML, not Hugging Face JSON (OAI-PMH? use `dailypapers ingest oai`)"
    if '"format": "dailypapers-dump"' in head or '"format":"dailypapers-dump"' in head:
        return "a Daily Papers dump: load it with `dailypapers import`"
    if '"submitter"' in head and '"versions"' in head and '"paper"' not in head:
        return "an arXiv metadata snapshot: use `dailypapers ingest arxiv-snapshot`"
    return None


def _is_supported(name: str) -> bool:
    return name.endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz"))


def _day_from_name(name: str) -> dt.date | None:
    match = _DAY_IN_NAME.search(name)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _end_of(day: dt.date | None) -> dt.datetime | None:
    """Counts in a response for day D were observed by the end of D at the latest."""
    return dt.datetime.combine(day, dt.time.max) if day else None


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise RecordError(f"unreadable Python-repr record: {type(exc).__name__}") from exc


def _author_names(authors: object) -> tuple[str, ...]:
    if not isinstance(authors, list):
        return ()
    names = []
    for author in authors:
        if isinstance(author, dict) and author.get("hidden") is True:
            continue  # hidden on Hugging Face's pages; the archive form leaves them out too
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            names.append(normalize_space(name))
    return tuple(names)
