"""The jobs `sync` runs, in order: follow the curated list, list new arXiv papers of the chosen
categories, fill in arXiv metadata of curated papers, bring search up to date, send the digests
that are due. Each is a function of a `Context` and returns an
Outcome; none of them knows about leases or schedules (jobs/runner.py, jobs/schedule.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.config import Settings
from dailypapers.db.models import utcnow
from dailypapers.digest.mail import make_mailer
from dailypapers.digest.sender import DigestSender
from dailypapers.ingest.arxiv_api import ArxivApi
from dailypapers.ingest.follow import follow
from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.pipeline import ingest
from dailypapers.ingest.store import IngestStore
from dailypapers.jobs.names import STEP_NAMES
from dailypapers.jobs.runner import Outcome
from dailypapers.papers.records import PaperRecord
from dailypapers.papers.services import parse_category
from dailypapers.papers.store import PaperStore
from dailypapers.search.mapped import GraphBusy
from dailypapers.search.runtime import build_search, load_embedder

ENRICH_AT_MOST = 200  # papers per run (two id_list requests of 100)


@dataclass
class Context:
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], dt.datetime] = utcnow
    since: dt.date | None = None  # follow: first day to read (default: where it left off)
    sleep: Callable[[float], None] = time.sleep  # HTTP spacing and back-off; tests pass a no-op

    def client(self, delay: float) -> PoliteClient:
        return PoliteClient(min_interval=delay, retries=3, timeout=60, sleep=self.sleep)


def follow_step(ctx: Context) -> Outcome:
    base = ctx.settings.follow_url
    if not base:
        return Outcome(summary="off (DAILYPAPERS_FOLLOW_URL is empty)")
    with ctx.client(ctx.settings.follow_delay) as client:
        report = follow(
            ctx.sessions, client, base, ctx.clock().date(), since=ctx.since,
            refresh_days=ctx.settings.follow_refresh_days,
        )  # fmt: skip
    days = f"{report.days[0]}..{report.days[-1]}" if report.days else "no day"
    r = report.ingest.result
    summary = (
        f"{base}: {days} read, {r.new} new papers, {r.updated} updated, "
        f"{len(report.ingest.issues)} unreadable records skipped"
    )
    error = f"stopped before today: {report.error}" if report.error else None
    return Outcome(report.new, summary, error)


ARXIV_FIRST_DAYS = 3  # a category followed for the first time starts this many days back


def arxiv_step(ctx: Context) -> Outcome:
    """New submissions in DAILYPAPERS_ARXIV_CATEGORIES, newest first down to the last day seen
    (re-read, as arXiv announces a day in one go); listed under New on arXiv, not curated."""
    categories = [c.strip() for c in ctx.settings.arxiv_categories.split(",") if c.strip()]
    if not categories:
        return Outcome(summary="off (DAILYPAPERS_ARXIV_CATEGORIES is empty)")
    new, parts = 0, []
    with ctx.client(ctx.settings.arxiv_delay) as client:
        api = ArxivApi(client, ctx.settings.arxiv_api_url)
        for category in categories:
            key = f"arxiv:{parse_category(category)}"
            with ctx.sessions() as session:
                last = IngestStore(session).get_meta(key)
            since = (
                dt.date.fromisoformat(last)
                if last
                else ctx.clock().date() - dt.timedelta(days=ARXIV_FIRST_DAYS)
            )
            records = list(api.search(f"cat:{category}", since=since))
            report = ingest(ctx.sessions, records)
            newest = max(
                (r.published_at for r in records if isinstance(r, PaperRecord) and r.published_at),
                default=None,
            )
            if newest is not None:
                with ctx.sessions() as session:
                    IngestStore(session).set_meta(key, newest.date().isoformat())
                    session.commit()
            new += report.new
            parts.append(f"{category}: {report.new} new since {since}")
    return Outcome(new, "; ".join(parts))


def enrich_step(ctx: Context) -> Outcome:
    """arXiv's metadata (categories, every author, comments, DOI) for curated papers lacking it,
    in batched `id_list` requests; the papers' feed days are left as they are."""
    with ctx.sessions() as session:
        wanted = PaperStore(session).without_arxiv_metadata(ENRICH_AT_MOST)
    if not wanted:
        return Outcome(summary="every paper on the feed has its arXiv metadata")
    with ctx.client(ctx.settings.arxiv_delay) as client:
        items = ArxivApi(client, ctx.settings.arxiv_api_url).by_ids(wanted)
        records = (
            dataclasses.replace(i, feed_date=None) if isinstance(i, PaperRecord) else i
            for i in items
        )
        report = ingest(ctx.sessions, records)
    summary = f"{len(wanted)} papers asked of arXiv, {report.result.updated} updated"
    return Outcome(0, summary)


def index_step(ctx: Context) -> Outcome:
    runtime = build_search(ctx.settings, ctx.sessions, load_embedder(), with_embedder=True)
    words = runtime.indexer.sync_lexical()
    meanings = runtime.indexer.embed_pending()
    try:
        folded = runtime.indexer.compact_vectors()
    except GraphBusy:  # the vectors job (or a `dailypapers index`) is folding them now
        folded = None
    graph = f"; vector graph: {folded.count:,} papers" if folded else ""
    return Outcome(0, f"{words} papers indexed by words, {meanings} by meaning{graph}")


def vectors_step(ctx: Context) -> Outcome:
    """Fold vectors embedded since the memory-mapped graph was built into a new generation of
    it, once they are 5% of it (past 100,000 papers: search/mapped.py). The search worker embeds;
    this, one process at a time under the job's lease, rewrites the graph."""
    runtime = build_search(ctx.settings, ctx.sessions, load_embedder(), with_embedder=True)
    try:
        folded = runtime.indexer.compact_vectors()
    except GraphBusy as exc:
        return Outcome(0, f"vector graph: {exc}")
    if folded is None:
        return Outcome(0, "vector graph up to date (or not needed yet)")
    return Outcome(0, f"vector graph: {folded.count:,} papers (generation {folded.generation})")


def due_digests(now: dt.datetime, hour: int) -> list[tuple[str, dt.date]]:
    """The digests a run at `now` owes: the day's on weekdays from `hour`, and on Mondays the
    week that just ended. Sending is idempotent per reader and period, so later runs the same
    day send nothing twice."""
    if now.hour < hour:
        return []
    day = now.date()
    due = [("daily", day)] if day.weekday() < 5 else []
    if day.weekday() == 0:
        due.append(("weekly", day - dt.timedelta(days=1)))
    return due


def digests_step(ctx: Context) -> Outcome:
    due = due_digests(ctx.clock(), ctx.settings.digest_hour)
    if not due:
        return Outcome(summary=f"none due before {ctx.settings.digest_hour}:00 UTC")
    settings = ctx.settings
    sender = DigestSender(ctx.sessions, settings, lambda: make_mailer(settings), load_embedder())
    sent, parts, stopped = 0, [], None
    for frequency, day in due:
        report = sender.run(frequency, day)
        sent += report.sent
        parts.append(f"{frequency} {report.period}: {report.sent} sent")
        if report.stopped and report.period:
            stopped = report.stopped
    return Outcome(sent, "; ".join(parts), stopped)


STEPS: dict[str, Callable[[Context], Outcome]] = {
    "follow": follow_step,
    "arxiv": arxiv_step,
    "enrich": enrich_step,
    "index": index_step,
    "vectors": vectors_step,
    "digests": digests_step,
}
assert tuple(STEPS) == STEP_NAMES, "jobs/names.py lists the steps for the command line"
