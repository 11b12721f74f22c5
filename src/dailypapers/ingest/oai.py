"""arXiv OAI-PMH bulk harvest (metadataPrefix `arXiv`): parse with ElementTree (pure), page through
resumptionTokens (I/O), and checkpoint each page in the same transaction as its papers, so a crash
or kill -9 loses nothing committed and the rerun resumes from the last token.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.ingest.hf_daily import Issue, Parsed
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.store import IngestStore
from dailypapers.papers.records import (
    PaperRecord,
    RecordError,
    normalize_space,
    optional_text,
    split_arxiv_id,
)
from dailypapers.papers.store import PaperStore, UpsertResult

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"


class OaiError(RuntimeError):
    """The repository answered with an OAI-PMH error other than 'no records'."""


@dataclass(frozen=True)
class OaiPage:
    items: list[Parsed]
    token: str | None
    deleted: int = 0


def parse_list_records(body: bytes | str, source: str) -> OaiPage:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise OaiError(f"{source}: not XML ({exc})") from exc
    error = root.find(f"{OAI}error")
    if error is not None:
        if error.get("code") == "noRecordsMatch":
            return OaiPage([], None)
        raise OaiError(f"{source}: {error.get('code')}: {(error.text or '').strip()}")
    items: list[Parsed] = []
    deleted = 0
    for position, node in enumerate(root.iter(f"{OAI}record")):
        header = node.find(f"{OAI}header")
        if header is not None and header.get("status") == "deleted":
            deleted += 1
            continue
        try:
            items.append(record_from_metadata(node.find(f"{OAI}metadata/{ARXIV}arXiv")))
        except RecordError as exc:
            items.append(Issue(f"{source}[{position}]", str(exc)))
    token_node = root.find(f"{OAI}ListRecords/{OAI}resumptionToken")
    token = (token_node.text or "").strip() if token_node is not None else ""
    return OaiPage(items, token or None, deleted)


def record_from_metadata(meta: ET.Element | None) -> PaperRecord:
    if meta is None:
        raise RecordError("record has no arXiv metadata")

    def text(tag: str) -> str:
        return (meta.findtext(f"{ARXIV}{tag}") or "").strip()

    arxiv_id, version = split_arxiv_id(text("id"))
    title = normalize_space(text("title"))
    if not title:
        raise RecordError(f"{arxiv_id}: missing title")
    categories = text("categories").split()
    created = _day(text("created"))
    return PaperRecord(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        abstract=normalize_space(text("abstract")),
        authors=tuple(_author(a) for a in meta.iter(f"{ARXIV}author")),
        published_at=created,
        arxiv_updated_at=_day(text("updated")) or created,
        primary_category=categories[0] if categories else None,
        categories=" ".join(categories) or None,
        comments=optional_text(normalize_space(text("comments")), 5000),
        journal_ref=optional_text(normalize_space(text("journal-ref"))),
        doi=optional_text(text("doi"), 200),
        feed_date=None,  # arXiv lists papers; only the curated feed puts them on a day
        source="arxiv-oai",
    )


def _author(node: ET.Element) -> str:
    parts = [node.findtext(f"{ARXIV}{t}") or "" for t in ("forenames", "keyname", "suffix")]
    return normalize_space(" ".join(parts))


def _day(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@dataclass
class HarvestReport:
    pages: int = 0
    result: UpsertResult = field(default_factory=UpsertResult)
    issues: list[Issue] = field(default_factory=list)
    deleted: int = 0
    resumed: bool = False
    already_done: bool = False


def harvest(
    sessions: sessionmaker[Session],
    client: PoliteClient,
    base_url: str,
    *,
    from_date: dt.date,
    until: dt.date | None = None,
    set_spec: str | None = None,
    dry_run: bool = False,
    restart: bool = False,
    on_page: Callable[[HarvestReport], None] | None = None,
) -> HarvestReport:
    key = f"oai:arXiv:{set_spec or '*'}:{from_date}:{until or ''}"
    report = HarvestReport()
    with sessions() as session:
        checkpoint = IngestStore(session).checkpoint(key)
        token = None if restart else checkpoint.resumption_token
        if checkpoint.done and not restart:
            report.already_done = True
            return report
        report.resumed = token is not None
    while True:
        if token:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": "arXiv", "from": str(from_date)}
            if until:
                params["until"] = str(until)
            if set_spec:
                params["set"] = set_spec
        response = client.get(base_url, params=params)
        if response.status_code >= 400:
            raise OaiError(f"{base_url}: HTTP {response.status_code}")
        page = parse_list_records(response.content, f"OAI page {report.pages + 1}")
        records = [i for i in page.items if isinstance(i, PaperRecord)]
        report.issues += [i for i in page.items if isinstance(i, Issue)]
        report.deleted += page.deleted
        with sessions() as session:
            report.result.add(PaperStore(session).upsert(records))
            IngestStore(session).save_checkpoint(
                key, page.token, len(records), done=page.token is None
            )
            session.rollback() if dry_run else session.commit()
        report.pages += 1
        if on_page:
            on_page(report)
        if page.token is None or dry_run:
            return report
        token = page.token
