"""The shared upsert pipeline: batches of parsed records into the store, one transaction per batch.

A crash loses at most the batch in flight; rerunning is safe because the upsert is idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.ingest.hf_daily import Issue, Parsed
from dailypapers.papers.records import PaperRecord
from dailypapers.papers.store import PaperStore, UpsertResult


@dataclass
class IngestReport:
    records: int = 0
    result: UpsertResult = field(default_factory=UpsertResult)
    issues: list[Issue] = field(default_factory=list)

    @property
    def new(self) -> int:
        return self.result.new

    def add(self, other: IngestReport) -> None:
        self.records += other.records
        self.result.add(other.result)
        self.issues += other.issues


def ingest(
    sessions: sessionmaker[Session],
    parsed: Iterable[Parsed],
    *,
    batch_size: int = 500,
    dry_run: bool = False,
    on_issue: Callable[[Issue], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> IngestReport:
    """Upsert every record; report unreadable ones through `on_issue` and keep going."""
    report = IngestReport()
    batch: list[PaperRecord] = []
    for item in parsed:
        if isinstance(item, Issue):
            report.issues.append(item)
            if on_issue:
                on_issue(item)
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            _flush(sessions, batch, report, dry_run, on_batch)
    if batch:
        _flush(sessions, batch, report, dry_run, on_batch)
    return report


def _flush(
    sessions: sessionmaker[Session],
    batch: list[PaperRecord],
    report: IngestReport,
    dry_run: bool,
    on_batch: Callable[[int], None] | None,
) -> None:
    with sessions() as session:
        result = PaperStore(session).upsert(batch)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    report.records += len(batch)
    report.result.add(result)
    if on_batch:
        on_batch(len(batch))
    batch.clear()
