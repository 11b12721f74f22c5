"""Digest fan-out: compose and send N personal digests to a local SMTP sink, as `digest send` does.

The week of real papers from ../shared/data/hf-daily/raw (2026-06-22..26) with their MiniLM
embeddings; N readers, every one with interests (keywords from a vocabulary of the week's title
words, followed authors, categories, some "like what I upvoted"); an aiosmtpd sink in a second
process that accepts and counts. Composing and sending run through DigestSender + SmtpMailer.

    python bench/digest.py            # quick: 10,000 readers
    FULL=1 python bench/digest.py     # 100,000 readers (the issue's figure: <= 10 minutes)
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import secrets
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, rss_mb, write_result  # noqa: E402

from dailypapers.config import Settings  # noqa: E402
from dailypapers.db import migrate  # noqa: E402
from dailypapers.db.engine import make_engine, make_sessionmaker  # noqa: E402
from dailypapers.db.models import Subscriber, User, Vote, utcnow  # noqa: E402
from dailypapers.digest.mail import SmtpMailer  # noqa: E402
from dailypapers.digest.sender import DigestSender, RunReport, digest_period  # noqa: E402
from dailypapers.ingest.hf_daily import read_path  # noqa: E402
from dailypapers.ingest.pipeline import ingest  # noqa: E402
from dailypapers.papers.store import PaperStore  # noqa: E402
from dailypapers.search.query import STOP_WORDS, words_of  # noqa: E402
from dailypapers.search.runtime import build_search, load_embedder  # noqa: E402

WEEK = ["2026-06-15", "2026-06-16", "2026-06-17", "2026-06-18", "2026-06-19",  # votes' history
        "2026-06-22", "2026-06-23", "2026-06-24", "2026-06-25", "2026-06-26"]  # fmt: skip
SEND_DAY = "2026-06-26"
CATEGORIES = ["cs.CL", "cs.LG", "cs.CV", "cs.AI", "cs.RO", "stat.ML"]


def sink(port: int, counter: multiprocessing.Value, ready: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """A second process: an SMTP server that accepts every message and counts it."""
    import asyncio

    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    asyncio.run(asyncio.sleep(10**6))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_papers(settings: Settings, sessions) -> None:  # type: ignore[no-untyped-def]
    for day in WEEK:
        ingest(sessions, read_path(SHARED / "hf-daily" / "raw" / f"{day}.json"))
    search = build_search(settings, sessions, load_embedder())
    search.catch_up(embed_limit=None)


def add_readers(sessions, count: int, seed: int = 7) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    with sessions() as session:
        week = PaperStore(session).feed(dt.date(2026, 6, 22), dt.date.fromisoformat(SEND_DAY))
        before = PaperStore(session).feed(dt.date(2026, 6, 15), dt.date(2026, 6, 19))
        earlier = [i.paper.id for i in before]
        words = sorted({w for i in week for w in words_of(i.paper.title)
                        if w not in STOP_WORDS and len(w) > 3})  # fmt: skip
        # what readers type repeats: a vocabulary of 1,500 phrases, the popular ones far more often
        phrases = sorted({" ".join(rng.sample(words, rng.choice((1, 2)))) for _ in range(1500)})
        rng.shuffle(phrases)
        weights = [1 / (rank + 1) for rank in range(len(phrases))]
        authors = sorted({a for i in week for a in i.paper.author_names})
        # readers who follow their own upvotes: 2% of them, each with 5 votes on earlier papers
        voters = []
        for n in range(count // 50):
            user = User(username=f"u{n}", email=f"u{n}@bench.test", password_hash="x")
            session.add(user)
            voters.append(user)
        session.flush()
        session.add_all(
            Vote(user_id=u.id, paper_id=p) for u in voters for p in rng.sample(earlier, 5)
        )
        rows = []
        for n in range(count):
            keywords = rng.choices(phrases, weights, k=rng.randint(0, 3))
            voter = voters[n].id if n < len(voters) else None
            rows.append({
                "email": f"reader{n}@bench.test", "token": secrets.token_urlsafe(16),
                "status": "active", "frequency": "weekly",
                "categories": " ".join(rng.sample(CATEGORIES, rng.randint(0, 2))),
                "keywords": "\n".join(keywords),
                "authors": "\n".join(rng.sample(authors, rng.randint(0, 2))),
                "like_upvoted": voter is not None, "user_id": voter,
                "created_at": utcnow(), "confirmed_at": utcnow(),
            })  # fmt: skip
        session.execute(Subscriber.__table__.insert(), rows)
        session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    full = bool(os.environ.get("FULL"))
    parser.add_argument("--readers", type=int, default=100_000 if full else 10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=1, help="as `digest send --workers`")
    args = parser.parse_args()
    port = free_port()
    counter = multiprocessing.Value("i", 0)
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=sink, args=(port, counter, ready), daemon=True)
    server.start()
    ready.wait(30)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="test", data_dir=Path(tmp), database_url=args.database_url, search_worker=False,
            smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
            mail_from="Daily Papers <digest@bench.test>", base_url="https://papers.example.org",
        )  # fmt: skip
        engine = make_engine(settings)
        migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        t0 = time.perf_counter()
        load_papers(settings, sessions)
        add_readers(sessions, args.readers)
        setup_s = time.perf_counter() - t0
        print(f"setup: {args.readers:,} readers, papers embedded, in {setup_s:.1f} s", flush=True)

        sender = DigestSender(
            sessions, settings, lambda: SmtpMailer(settings), load_embedder(), workers=args.workers
        )
        period = digest_period("weekly", dt.date.fromisoformat(SEND_DAY))
        assert period is not None
        report = RunReport("weekly", period.key)
        t0 = time.perf_counter()
        sender.plan("weekly", period, report)
        plan_s = time.perf_counter() - t0
        print(f"composed {report.planned:,} digests in {plan_s:.1f} s", flush=True)
        t0 = time.perf_counter()
        sender.deliver("weekly", period, report)
        send_s = time.perf_counter() - t0
        engine.dispose()
    received = counter.value
    server.kill()
    total = plan_s + send_s
    figures = {
        "backend": "postgresql" if args.database_url.startswith("postgres") else "sqlite",
        "readers": args.readers,
        "workers": args.workers,
        "pool_papers": report.pool,
        "digests_planned": report.planned,
        "digests_sent": report.sent,
        "received_by_sink": received,
        "compose_s": round(plan_s, 1),
        "send_s": round(send_s, 1),
        "total_s": round(total, 1),
        "compose_per_reader_ms": round(plan_s / max(args.readers, 1) * 1000, 3),
        "send_per_digest_ms": round(send_s / max(report.sent, 1) * 1000, 3),
        "digests_per_s": round(report.sent / max(total, 1e-9), 1),
        "projected_100k_min": round(total / max(args.readers, 1) * 100_000 / 60, 1),
        "target_100k_min": 10,
        "rss_mb": rss_mb(),
    }
    print()
    print("| readers | composed | sent | received | compose | send | total | per digest "
          "| 100k projected |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {args.readers:,} | {report.planned:,} | {report.sent:,} | {received:,} | "
          f"{plan_s:.1f} s | {send_s:.1f} s | {total:.1f} s | "
          f"{figures['send_per_digest_ms'] + figures['compose_per_reader_ms']:.2f} ms | "
          f"{figures['projected_100k_min']} min |")  # fmt: skip
    assert received == report.sent == report.planned, "every planned digest arrives exactly once"
    name = "digest" + ("-postgres" if figures["backend"] == "postgresql" else "")
    name += f"-workers{args.workers}" if args.workers != 1 else ""
    print(f"written to {write_result(name, figures)}")


if __name__ == "__main__":
    main()
