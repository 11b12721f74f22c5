"""Indexing keeps up with ingest, resumes after an interruption and never indexes twice."""

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.db.models import SearchChange
from dailypapers.papers.store import PaperStore
from dailypapers.search import changes
from dailypapers.search.changes import START
from dailypapers.search.lexical import IndexBusy, TantivyIndex
from dailypapers.search.mapped import GraphBusy
from dailypapers.search.runtime import LEXICAL_DIR, build_search, lexical_position
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


def embedded(sessions, model):
    with sessions() as session:
        rows = session.execute(sa.text("SELECT paper_id FROM paper_embeddings WHERE model = :m"),
                               {"m": model})  # fmt: skip
        return {paper_id for (paper_id,) in rows}


def test_embedding_walks_down_the_ids_new_papers_first_edited_ones_at_the_end(sessions, search):
    first = [record() for _ in range(4)]
    store_records(sessions, *first)
    indexer, model = search.indexer, search.indexer.embedder.name
    with sessions() as session:
        ids = sorted(SearchStore(session).paper_ids())  # 1..4, oldest first
    assert indexer.embed_pending(batch=2, limit=2) == 2
    assert embedded(sessions, model) == set(ids[2:])  # the newest two
    late = record()
    store_records(sessions, late)  # arrives mid-pass
    edited = dataclasses.replace(first[3], title="A new title",
                                 observed_at=dt.datetime(2030, 1, 1))  # fmt: skip
    store_records(sessions, edited)  # its embedding is dropped, above where the pass stands
    assert embedded(sessions, model) == {ids[2]}
    assert indexer.embed_pending(batch=1, limit=2) == 2
    newest = max(ids) + 1
    assert embedded(sessions, model) == {newest, ids[2], ids[1]}  # the new paper, then on down
    assert indexer.embed_pending(batch=1, limit=1) == 1
    assert embedded(sessions, model) == {newest, ids[2], ids[1], ids[0]}
    assert indexer.embed_pending() == 1  # at the bottom, from the top again: the edited paper
    assert embedded(sessions, model) == {*ids, newest} and indexer.pending_embeddings() == 0


def test_a_quiet_log_costs_no_look_for_papers_to_embed(sessions, search):
    first = record()
    store_records(sessions, first, record())
    indexer = search.indexer
    assert indexer.embed_pending() == 2
    looked: list[str] = []

    def listen(conn, cursor, statement, *args):
        if "paper_embeddings" in statement:
            looked.append(statement)

    engine = sessions.kw["bind"]
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        assert indexer.embed_pending() == 0  # finds nothing, and notes the log's head
        looked.clear()
        for _ in range(3):  # the background worker's rounds, every 2 s in `serve`
            assert indexer.embed_pending() == 0
        assert looked == []
        edited = dataclasses.replace(first, title="Edited", observed_at=dt.datetime(2030, 1, 1))
        store_records(sessions, edited)
        assert indexer.embed_pending() == 1  # the log moved: it looks again
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


def test_papers_waiting_for_an_embedding_count_another_models_and_no_deleted_ones(sessions, search):
    store_records(sessions, *[record() for _ in range(3)])
    indexer, model = search.indexer, search.indexer.embedder.name
    assert indexer.embed_pending() == 3
    with sessions() as session:
        store = SearchStore(session)
        first, second, _ = sorted(store.paper_ids())
        session.execute(sa.text("UPDATE paper_embeddings SET model = 'an older model' "
                                "WHERE paper_id = :p"), {"p": first})  # fmt: skip
        session.execute(sa.text("DELETE FROM papers WHERE id = :p"), {"p": second})
        session.commit()
        assert store.count_without_embedding(model) == 1  # the one by another model
        assert store.count_without_embedding("an older model") == 1  # the rest by ours
    assert indexer.pending_embeddings() == 1


def test_a_new_process_maps_the_vector_graph_and_loads_only_newer_rows(
    settings, sessions, search, embedder
):
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
    other = build_search(settings, sessions, embedder).service.vectors  # another process's
    with other.building(), pytest.raises(GraphBusy):
        search.indexer.compact_vectors(force=True)
    assert search.indexer.compact_vectors(force=True).count == 5
    store_records(sessions, record(title="Graph neural networks for chemistry"))
    search.indexer.embed_pending()
    started = build_search(settings, sessions, embedder)  # another process
    assert len(started.service.vectors) == 5  # mapped, not read from the database
    assert started.indexer.refresh_vectors() == 1  # only the row written since
    fifth, sixth = "A fifth paper about protein folding", "Graph neural networks for chemistry"
    for title in [*titles, fifth, sixth]:  # the graph and the rest
        hits = started.service.search(title, mode="semantic", limit=1).hits
        assert hits[0].paper.title == title


def test_changes_are_logged_with_the_paper_and_applied_once(sessions, search):
    store_records(sessions, record(title="Quantum annealing for routing"))
    with sessions() as session:
        assert SearchStore(session).count_changes_after(START) == 1
    assert search.indexer.sync_lexical() == 1  # a new, empty index is built from the papers
    assert search.indexer.sync_lexical() == 0
    assert search.service.lexical.count() == 1
    store_records(sessions, record(title="Another paper"))
    assert search.indexer.sync_lexical() == 1  # from the log, after the index's position
    search.indexer.rebuild_lexical()
    assert search.service.lexical.count() == 2
    assert search.indexer.sync_lexical() == 0


def test_a_rebuild_keeps_the_old_index_searchable_until_it_is_done(settings, sessions, search):
    store_records(sessions, record(title="Weather radar"), record(title="Cyclone tracks"))
    search.indexer.sync_lexical()
    store_records(sessions, record(title="Weather of the week"))  # not applied yet
    folder = settings.search_dir / LEXICAL_DIR
    seen: list[int] = []
    # what another process (the web) finds while the rebuild runs: the old index, not nothing
    assert search.indexer.rebuild_lexical(lambda _: seen.append(TantivyIndex(folder).count())) == 3
    assert seen == [2] and TantivyIndex(folder).count() == 3

    def disk_trouble(_size: int) -> None:
        raise OSError("disk trouble")

    store_records(sessions, record(title="A fourth paper"))
    with pytest.raises(OSError):
        search.indexer.rebuild_lexical(disk_trouble)
    assert TantivyIndex(folder).count() == 3  # a failed rebuild leaves the index as it was
    assert search.indexer.sync_lexical() == 1  # and the log goes on from where it stood
    assert TantivyIndex(folder).count() == 4


def test_a_change_after_a_sync_is_applied_by_the_next(sessions, search):
    first = record(title="Old words")
    store_records(sessions, first)
    search.indexer.sync_lexical()
    store_records(sessions, dataclasses.replace(first, title="Fresh words",
                                                observed_at=dt.datetime(2030, 1, 1)))  # fmt: skip
    assert search.indexer.sync_lexical() == 1
    hits = search.service.search("fresh", mode="lexical").hits
    assert [h.paper.title for h in hits] == ["Fresh words"]
    assert search.service.search("old", mode="lexical").hits == []


def test_every_host_keeps_its_own_index_from_the_one_log(settings, sessions, search, embedder):
    """A second host (its own search folder, the same database) reads every change, whoever
    read it first; a host that was away longer than the log keeps rebuilds."""
    other = build_search(
        settings.model_copy(update={"search_dir": settings.search_dir.parent / "host-b"}),
        sessions, embedder,
    )  # fmt: skip
    store_records(sessions, record(title="Graph networks for weather"))
    assert search.indexer.sync_lexical() == 1
    store_records(sessions, record(title="Weather radar nowcasting"))
    assert search.indexer.sync_lexical() == 1
    assert other.indexer.sync_lexical() == 2  # built from the papers: it had no index
    store_records(sessions, record(title="Tropical cyclone tracks"))
    assert [r.indexer.sync_lexical() for r in (other, search)] == [1, 1]
    for runtime in (search, other):
        hits = runtime.service.search("weather", mode="lexical").hits
        assert len(hits) == 2
    at = other.indexer.position.read()
    away = changes.Position(at.cursor, at.synced_at - changes.STALE - dt.timedelta(hours=1))
    other.indexer.position.write(away)
    store_records(sessions, record(title="Weather of the week"))
    with sessions() as session:  # pruned meanwhile: the log cannot bring the index up to date
        session.execute(sa.delete(SearchChange))
        session.commit()
    assert other.indexer.sync_lexical() == 4  # rebuilt from the papers table
    assert len(other.service.search("weather", mode="lexical").hits) == 3


def test_the_log_keeps_a_week_and_is_pruned(sessions, search, monkeypatch):
    store_records(sessions, record(title="An old change"))
    with sessions() as session:
        session.execute(sa.update(SearchChange).values(changed_at=dt.datetime(2020, 1, 1)))
        session.commit()
    store_records(sessions, record(title="A new change"))
    search.indexer.sync_lexical()
    with sessions() as session:
        kept = session.scalars(sa.select(SearchChange.changed_at)).all()
    assert len(kept) == 1 and kept[0] > dt.datetime(2025, 1, 1)


def test_a_second_process_skips_a_round_while_one_applies(settings, sessions, search):
    position = lexical_position(settings)
    with position.exclusive(), pytest.raises(IndexBusy):  # another process holds it
        search.indexer.sync_lexical()
    store_records(sessions, record(title="Applied after the lock is free"))
    assert search.indexer.sync_lexical() == 1


def test_postgres_never_passes_a_change_whose_transaction_is_open(settings, sessions, search):
    """On PostgreSQL a lower sequence number can commit after a higher one: the reader stops
    before the oldest open transaction, so the late commit is still read."""
    if sessions.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: changes commit in log order")
    search.indexer.sync_lexical()
    slow = sessions()
    slow_paper = record(title="Slow transaction about glaciers")
    PaperStore(slow).upsert([slow_paper])  # logged, not committed
    store_records(sessions, record(title="Quick transaction about glaciers"))  # commits first
    assert search.indexer.sync_lexical() == 0  # the quick one waits behind the open one
    slow.commit()
    slow.close()
    assert search.indexer.sync_lexical() == 2
    hits = search.service.search("glaciers", mode="lexical").hits
    assert sorted(h.paper.title for h in hits) == [
        "Quick transaction about glaciers", "Slow transaction about glaciers"]  # fmt: skip


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


def test_reading_papers_for_the_index_returns_exactly_those_asked_for(sessions):
    """Ids in a row are read as a range, scattered ones by list: both give the papers asked
    for, each with its authors in order, and nothing else from inside the range."""
    store_records(
        sessions,
        *[record(title=f"Paper {n}", authors=(f"First {n}", f"Second {n}")) for n in range(10)],
    )
    with sessions() as session:
        ids = sorted(session.scalars(sa.text("SELECT id FROM papers")))
        store = SearchStore(session)
        for wanted in (ids[2:5], [ids[2], ids[3], ids[5]], [ids[0], ids[9]], [ids[7]]):
            docs = {d.paper_id: d for d in store.docs(wanted)}
            assert sorted(docs) == sorted(wanted)
            for paper_id in wanted:
                n = ids.index(paper_id)
                assert docs[paper_id].title == f"Paper {n}"
                assert docs[paper_id].authors == (f"First {n}", f"Second {n}")
