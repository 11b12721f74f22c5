"""Indexing keeps up with ingest, resumes after an interruption and never indexes twice."""

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.search.store import SearchStore
from tests.conftest import fixture
from tests.factories import record, store_records


def test_embedding_resumes_where_it_stopped(sessions, search):
    store_records(sessions, *[record() for _ in range(5)])
    indexer = search.indexer
    assert indexer.pending_embeddings() == 5
    assert indexer.embed_pending(batch=2, limit=3) == 3  # "interrupted" after 3
    assert indexer.pending_embeddings() == 2
    assert indexer.embed_pending(batch=2) == 2
    assert indexer.pending_embeddings() == 0
    assert indexer.embed_pending() == 0
    assert indexer.refresh_vectors() == 5
    assert indexer.refresh_vectors() == 0  # only new rows are loaded


def test_queue_is_written_with_the_paper_and_drained_once(sessions, search):
    store_records(sessions, record(title="Quantum annealing for routing"))
    with sessions() as session:
        assert SearchStore(session).queue_length() == 1
    assert search.indexer.sync_lexical() == 1
    assert search.indexer.sync_lexical() == 0
    assert search.service.lexical.count() == 1
    store_records(sessions, record(title="Another paper"))
    search.indexer.rebuild_lexical()
    assert search.service.lexical.count() == 2


def test_a_change_during_indexing_is_not_lost(sessions, search):
    first = record(title="Old words")
    store_records(sessions, first)
    with sessions() as session:
        entries = SearchStore(session).queued(10)
    # the paper changes again after the indexer read the queue, before it dequeued
    import dataclasses
    import datetime as dt

    store_records(sessions, dataclasses.replace(first, title="Fresh words",
                                                observed_at=dt.datetime(2030, 1, 1)))  # fmt: skip
    with sessions() as session:
        SearchStore(session).dequeue(entries)
        session.commit()
        assert SearchStore(session).queue_length() == 1  # the newer change is still queued
    search.indexer.sync_lexical()
    hits = search.service.search("fresh", mode="lexical").hits
    assert [h.paper.title for h in hits] == ["Fresh words"]


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    return lambda *args: CliRunner().invoke(app, list(args))


def test_cli_ingest_is_searchable_at_once_then_index_embeds(cli):
    day = str(fixture("hf-daily", "raw", "2025-01-10.json"))  # 9 papers
    assert cli("ingest", "hf-daily", day).exit_code == 0
    words = cli("search", "--mode", "lexical", "--json", "model")
    assert words.exit_code == 0 and '"mode": "lexical"' in words.output
    assert '"id": "2501.' in words.output
    degraded = cli("search", "--json", "model")
    assert '"mode": "lexical"' in degraded.output and "still being built" in degraded.output
    first = cli("index")
    assert first.exit_code == 0 and "embedded 9 papers" in first.output
    again = cli("index")
    assert again.exit_code == 1 and "embedded 0 papers" in again.output
    hybrid = cli("search", "--json", "model")
    assert '"mode": "hybrid"' in hybrid.output
