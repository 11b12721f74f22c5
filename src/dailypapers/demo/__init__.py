"""The bundled demo set: recent real daily papers, built by scripts/build_demo.py."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from dailypapers.ingest.hf_daily import read_path
from dailypapers.ingest.pipeline import IngestReport, ingest
from dailypapers.ingest.store import IngestStore
from dailypapers.search.embeddings import normalize
from dailypapers.search.indexer import text_hash
from dailypapers.search.store import SearchStore

DEMO_FILE = Path(__file__).parent / "hf-daily-demo.jsonl.gz"
DEMO_EMBEDDINGS = Path(__file__).parent / "hf-daily-demo.embeddings.npz"
_META_KEY = "demo_sha256"


def demo_digest() -> str:
    digest = hashlib.sha256(DEMO_FILE.read_bytes())
    if DEMO_EMBEDDINGS.exists():
        digest.update(DEMO_EMBEDDINGS.read_bytes())
    return digest.hexdigest()


def load_demo(sessions: sessionmaker[Session], *, force: bool = False) -> IngestReport | None:
    """Load the demo set; None when this exact set is already loaded (and not forced)."""
    digest = demo_digest()
    with sessions() as session:
        if not force and IngestStore(session).get_meta(_META_KEY) == digest:
            return None
    report = ingest(sessions, read_path(DEMO_FILE))
    load_demo_embeddings(sessions)
    with sessions() as session:
        IngestStore(session).set_meta(_META_KEY, digest)
        session.commit()
    return report


def load_demo_embeddings(sessions: sessionmaker[Session], path: Path = DEMO_EMBEDDINGS) -> int:
    """Store the shipped embeddings of demo papers whose text is unchanged; returns how many."""
    if not path.exists():
        return 0
    with np.load(path) as data:
        model = str(data["model"])
        arxiv_ids = [str(a) for a in data["arxiv_ids"]]
        hashes = [str(h) for h in data["text_hashes"]]
        vectors = normalize(data["vectors"].astype(np.float32))
        bounds = np.cumsum(np.concatenate([[0], data["sentence_counts"]]))
        flat = data["sentence_vectors"]
        sentences = [flat[bounds[i] : bounds[i + 1]] for i in range(len(arxiv_ids))]
    stored = 0
    with sessions() as session:
        store = SearchStore(session)
        docs = store.docs_by_arxiv_id(arxiv_ids)
        have = store.embedded_ids([d.paper_id for d in docs.values()], model)
        rows = [
            (docs[a], vectors[i], hashes[i], sentences[i])
            for i, a in enumerate(arxiv_ids)
            if a in docs and docs[a].paper_id not in have and text_hash(docs[a]) == hashes[i]
        ]
        if rows:
            docs_, vectors_, hashes_, sentences_ = zip(*rows, strict=True)
            store.save_embeddings(model, docs_, np.stack(vectors_), hashes_, sentences_)
            stored = len(rows)
        session.commit()
    return stored
