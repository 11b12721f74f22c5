"""The memory-mapped vector graph: built from stored embeddings, shared through a file, kept up
to date by fresh rows searched exactly, folded in by generations."""

from __future__ import annotations

import numpy as np
import pytest

from dailypapers.search.mapped import GraphBusy, MappedVectors
from dailypapers.search.vectors import VectorIndex

DIM = 384


def unit(rows: int, seed: int) -> np.ndarray:
    """Vectors around 30 topics, as papers' are (not uniformly spread)."""
    rng = np.random.default_rng(seed)
    topics = np.random.default_rng(0).standard_normal((30, DIM)).astype(np.float32)
    m = topics[rng.integers(0, 30, rows)] + 0.8 * rng.standard_normal((rows, DIM))
    m = m.astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def batches(ids: np.ndarray, vectors: np.ndarray, size: int = 100):
    """What the indexer yields: (last embedding id, paper ids, vectors), the row id = position."""

    def rows(after: int):
        for start in range(after, len(ids), size):
            end = min(start + size, len(ids))
            yield end, ids[start:end], vectors[start:end]

    return rows


@pytest.fixture
def corpus():
    return np.arange(1, 601, dtype=np.int64) * 7, unit(600, 1)


def stored(ids, vectors):
    """What the database holds: the float vectors by paper id (the product reads them there)."""
    table = {int(p): v for p, v in zip(ids, vectors, strict=True)}
    return lambda paper_ids: {p: table[p] for p in paper_ids if p in table}


def test_a_generation_is_shared_through_its_file_and_matches_exact_search(tmp_path, corpus):
    ids, vectors = corpus
    builder = MappedVectors(tmp_path, DIM, "m")
    assert len(builder) == 0 and builder.info is None  # nothing built: exact search
    info = builder.compact(batches(ids, vectors))
    assert (info.generation, info.watermark, info.count) == (1, 600, 600)

    reader = MappedVectors(tmp_path, DIM, "m", stored(ids, vectors))  # another process
    assert len(reader) == 600 and reader.watermark == 600
    exact = VectorIndex(DIM)
    exact.add(ids, vectors)
    graph_only = MappedVectors(tmp_path, DIM, "m")  # scores from the graph's int8 vectors
    found = rough_found = 0
    for query in unit(20, 2):
        want = dict(exact.search(query, 10))
        got = reader.search(query, 10)  # the graph's candidates, re-scored exactly
        assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)
        assert all(abs(score - float(vectors[ids == k][0] @ query)) < 1e-5 for k, score in got)
        found += len(want.keys() & dict(got).keys())
        rough = graph_only.search(query, 10)
        rough_found += len(want.keys() & dict(rough).keys())
        assert max(abs(s - want.get(k, s)) for k, s in rough) < 0.05  # int8 scores: close
    assert found / 200 >= 0.98 and rough_found / 200 >= 0.8
    assert np.allclose(reader.vector_of(int(ids[3])), vectors[3])
    assert reader.vector_of(999_999) is None
    hits, scores = reader.search_with(vectors[0], 3, [int(ids[0]), int(ids[5]), 999_999])
    assert set(scores) == {int(ids[0]), int(ids[5])} and abs(scores[int(ids[0])] - 1) < 2e-3
    assert hits == exact.search(vectors[0], 3)  # exact scores for what the graph found
    assert int(ids[0]) not in dict(reader.search(vectors[0], 5, exclude=int(ids[0])))
    assert MappedVectors(tmp_path, DIM, "another model").info is None  # per model


def test_fresh_rows_are_searched_exactly_and_win_over_the_graph(tmp_path, corpus):
    ids, vectors = corpus
    vectors_now = vectors.copy()
    builder = MappedVectors(tmp_path, DIM, "m")
    builder.compact(batches(ids[:500], vectors[:500]))
    reader = MappedVectors(tmp_path, DIM, "m", stored(ids, vectors))
    reader.add(ids[500:], vectors[500:])  # embedded after the graph was built
    changed = int(ids[10])  # a paper embedded again (its text changed)
    vectors_now[10] = unit(1, 9)[0]
    reader.add([changed], vectors_now[10:11])
    assert reader.search(vectors[550], 1)[0][0] == int(ids[550])
    assert reader.search(vectors_now[10], 1) == [(changed, pytest.approx(1.0, abs=1e-5))]
    assert changed not in dict(reader.search(vectors[10], 3))  # its old vector is gone
    assert np.allclose(reader.vector_of(changed), vectors_now[10])
    _, scores = reader.search_with(vectors[10], 3, [changed, int(ids[550])])
    assert scores == {
        changed: pytest.approx(float(vectors_now[10] @ vectors[10]), abs=1e-5),
        int(ids[550]): pytest.approx(float(vectors[550] @ vectors[10]), abs=1e-5),
    }


def test_one_hybrid_search_reads_the_stored_vectors_once(tmp_path, corpus):
    """The graph's candidates and the word matches are scored from one read of the database."""
    ids, vectors = corpus
    MappedVectors(tmp_path, DIM, "m").compact(batches(ids, vectors))
    reads = []
    read = stored(ids, vectors)
    reader = MappedVectors(tmp_path, DIM, "m", lambda p: reads.append(p) or read(p))
    words = [int(ids[k]) for k in (3, 30, 300)]
    hits, scores = reader.search_with(vectors[3], 10, words)
    assert len(reads) == 1 and set(words) <= set(reads[0])
    assert hits[0] == (int(ids[3]), pytest.approx(1.0, abs=1e-5)) and set(scores) == set(words)


def test_folding_fresh_rows_makes_a_new_generation_others_switch_to(tmp_path, corpus):
    ids, vectors = corpus
    replaced = vectors.copy()
    replaced[0] = unit(1, 5)[0]
    all_ids = np.concatenate([ids, ids[:1]])  # row 601: paper ids[0] embedded again
    all_vectors = np.concatenate([vectors, replaced[:1]])
    builder = MappedVectors(tmp_path, DIM, "m")
    builder.compact(batches(all_ids[:300], all_vectors[:300]))
    reader = MappedVectors(tmp_path, DIM, "m", stored(ids, replaced))
    assert builder.should_compact(fresh_rows=14, total=314) is False  # under 5% of the graph
    assert builder.should_compact(fresh_rows=15, total=315) is True
    info = builder.compact(batches(all_ids, all_vectors))
    assert (info.generation, info.watermark, info.count) == (2, 601, 600)
    assert reader.reload() is True and reader.watermark == 601 and len(reader) == 600
    assert reader.reload() is False  # nothing newer
    assert reader.search(replaced[0], 1)[0][0] == int(ids[0])
    builder.compact(batches(all_ids, all_vectors))  # generation 3: the first is retired
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["base-2.json", "base-2.usearch", "base-3.json", "base-3.usearch"]


def test_one_process_at_a_time_writes_the_next_generation(tmp_path, corpus):
    ids, vectors = corpus
    builder = MappedVectors(tmp_path, DIM, "m")
    other = MappedVectors(tmp_path, DIM, "m")  # another process's view of the same folder
    with builder.building():
        with pytest.raises(GraphBusy), other.building():
            pass  # would have written generation 1 over the builder's
        builder.compact(batches(ids[:300], vectors[:300]))
    with other.building():  # free again; the holder starts from the newest generation
        assert other.info is not None and other.info.generation == 1
        assert other.compact(batches(ids, vectors)).generation == 2


def test_an_unfinished_generation_is_ignored(tmp_path, corpus):
    ids, vectors = corpus
    MappedVectors(tmp_path, DIM, "m").compact(batches(ids, vectors))
    (tmp_path / "base-2.usearch").write_bytes(b"half written")  # no .json: not complete
    assert MappedVectors(tmp_path, DIM, "m").info.generation == 1


def test_the_graph_and_the_model_load_in_either_order(tmp_path, corpus):
    """usearch imported first made importing onnxruntime crash the process: the graph's module
    takes care of the order. A fresh interpreter, as a web worker starts."""
    import subprocess
    import sys

    ids, vectors = corpus
    MappedVectors(tmp_path, DIM, "m").compact(batches(ids, vectors))
    script = (
        "import sys; from pathlib import Path; "
        "from dailypapers.search.mapped import MappedVectors; "
        f"m = MappedVectors(Path({str(tmp_path)!r}), {DIM}, 'm'); "
        "from dailypapers.search.embeddings import MiniLMEmbedder; "
        "q = MiniLMEmbedder(threads=1).embed(['a query'])[0]; "
        "print(len(m.search(q, 5)))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "5"
