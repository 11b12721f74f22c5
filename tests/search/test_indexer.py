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


def test_a_new_process_maps_the_vector_graph_and_loads_only_newer_rows(
    settings, sessions, search, embedder
):
    from dailypapers.search.runtime import build_search

    titles = [
        "Sparse attention for long documents",
        "Diffusion models for video",
        "Robot grasping from demonstrations",
        "Speech recognition in noisy rooms",
    ]
    store_records(sessions, *[record(title=t) for t in titles])
    search.indexer.embed_pending()
    folded = search.indexer.compact_vectors(force=True)
    if sessions.kw["bind"].dialect.name == "postgresql":
        assert folded is None  # pgvector's own index in the database: no file to build
        return
    assert folded is not None and folded.count == 4
    assert search.indexer.compact_vectors(force=True) is None  # nothing new
    store_records(sessions, record(title="A fifth paper about protein folding"))
    search.indexer.embed_pending()
    started = build_search(settings, sessions, embedder)  # another process
    assert len(started.service.vectors) == 4  # mapped, not read from the database
    assert started.indexer.refresh_vectors() == 1  # only the row written since
    for title in [*titles, "A fifth paper about protein folding"]:  # the graph and the rest
        hits = started.service.search(title, mode="semantic", limit=1).hits
        assert hits[0].paper.title == title


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
    folded = cli("index", "--vectors")  # 9 papers: exact search, unless asked for the graph
    assert folded.exit_code == 0 and "vector graph: 9 papers (generation 1)" in folded.output
    graph = cli("search", "--json", "model")
    assert '"mode": "hybrid"' in graph.output and graph.output.count('"id": "2501.') >= 9
    assert cli("index", "--vectors").exit_code == 1  # nothing new to fold
