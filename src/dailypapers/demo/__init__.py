"""The bundled demo set: recent real daily papers, built by scripts/build_demo.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from dailypapers.ingest.hf_daily import read_path
from dailypapers.ingest.pipeline import IngestReport, ingest
from dailypapers.papers.store import PaperStore

DEMO_FILE = Path(__file__).parent / "hf-daily-demo.jsonl.gz"
_META_KEY = "demo_sha256"


def demo_digest(path: Path = DEMO_FILE) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_demo(sessions: sessionmaker[Session], *, force: bool = False) -> IngestReport | None:
    """Load the demo set; None when this exact set is already loaded (and not forced)."""
    digest = demo_digest()
    with sessions() as session:
        if not force and PaperStore(session).get_meta(_META_KEY) == digest:
            return None
    report = ingest(sessions, read_path(DEMO_FILE))
    with sessions() as session:
        PaperStore(session).set_meta(_META_KEY, digest)
        session.commit()
    return report
