"""The embedder: one pass per paper gives the paper's vector and its sentences' vectors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest

from dailypapers.search.documents import SearchDoc
from dailypapers.search.embeddings import (
    MiniLMEmbedder,
    sentence_of_tokens,
    sentence_spans,
    windows,
)
from dailypapers.search.model_build import fast_model

ABSTRACT = (
    "Large language models memorise their training data. We measure how much of it can be "
    "extracted with simple prompts. Extraction grows with model size and with repetition in the "
    "data. Deduplicating the corpus removes most of the risk."
)


def test_windows_cut_at_a_sentence_start_in_the_second_half():
    assert windows(10, [0, 4, 7], size=6, limit=None) == [(0, 4), (4, 10)]
    assert windows(10, [0, 2], size=6, limit=None) == [(0, 6), (6, 10)]  # no start past half
    assert windows(10, [0, 4, 7], size=6, limit=1) == [(0, 6)]  # the only window is cut hard
    assert windows(0, [], size=6, limit=None) == []


def test_sentence_spans_are_found_in_order_and_missing_ones_are_empty():
    text = "Title. One sentence. Two sentence. One sentence."
    spans = sentence_spans(text, ["One sentence.", "One sentence.", "Absent."])
    assert spans == [(7, 20), (35, 48), (0, 0)]
    offsets = [(0, 5), (7, 10), (11, 19), (21, 24), (35, 38), (45, 48)]
    assert sentence_of_tokens(offsets, spans).tolist() == [-1, 0, 0, -1, 1, 1]


@pytest.fixture(scope="module")
def full(embedder: MiniLMEmbedder) -> MiniLMEmbedder:
    return embedder  # reads every window (the default)


@pytest.fixture(scope="module")
def first_window(embedder: MiniLMEmbedder) -> MiniLMEmbedder:
    return MiniLMEmbedder(max_windows=1, threads=2, model_cache=embedder.model_cache)


def test_one_pass_gives_a_vector_per_sentence_close_to_the_sentence_alone(full):
    doc = SearchDoc(1, "Memorisation in language models", ABSTRACT)
    vectors, sentences = full.embed_papers([doc.embedding_text], [doc.sentences])
    assert vectors.shape == (1, 384) and sentences[0].shape == (4, 384)
    assert np.allclose(np.linalg.norm(sentences[0], axis=1), 1.0, atol=1e-5)
    alone = full.embed(doc.sentences)
    # each sentence's vector says more about that sentence than the paper's vector does
    own = (sentences[0] * alone).sum(axis=1)
    assert (own > alone @ vectors[0]).all() and own.min() > 0.5
    unrelated = full.embed(["a recipe for chocolate cake"])[0]
    assert (sentences[0] @ unrelated).max() < 0.2


def test_embedding_is_the_same_alone_or_in_a_batch(full):
    """Up to the int8 model's noise: activations are quantised per batch, so a paper's vector
    moves a little with its batch mates (cosine >= 0.98; 0.995 to the float model)."""
    docs = [SearchDoc(i, f"Paper {i}", ABSTRACT * (i + 1)) for i in range(5)]
    texts, sentences = [d.embedding_text for d in docs], [d.sentences for d in docs]
    together, per_sentence = full.embed_papers(texts, sentences)
    for i in range(5):
        alone, alone_sentences = full.embed_papers([texts[i]], [sentences[i]], parallel=False)
        assert float(alone[0] @ together[i]) > 0.98
        assert alone_sentences[0].shape == per_sentence[i].shape
        assert (alone_sentences[0] * per_sentence[i]).sum(axis=1).min() > 0.98


def test_a_long_paper_is_read_to_the_end_unless_told_otherwise(first_window, full):
    long = ABSTRACT + " " + " ".join(f"Finding {n} concerns topic {n}." for n in range(60))
    doc = SearchDoc(1, "Long", long)
    _, first = first_window.embed_papers([doc.embedding_text], [doc.sentences])
    _, everything = full.embed_papers([doc.embedding_text], [doc.sentences])
    assert len(everything[0]) == len(doc.sentences)  # every sentence has a vector
    assert 0 < len(first[0]) < len(doc.sentences)  # only those in the first window


def test_an_empty_text_still_gets_a_unit_vector(embedder):
    vectors, sentences = embedder.embed_papers(["", "x"], [[], []])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert [s.shape[0] for s in sentences] == [0, 0]


def test_the_fast_model_is_made_once_and_reused(embedder, tmp_path):
    first = fast_model(embedder.source_path, tmp_path)
    made = first.stat().st_mtime_ns
    assert fast_model(embedder.source_path, tmp_path) == first
    assert first.stat().st_mtime_ns == made
    assert [p.name for p in tmp_path.iterdir()] == [first.name]  # no temporary files left


def test_the_model_goes_to_a_writable_cache(tmp_path, monkeypatch):
    from dailypapers.search.model_build import cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert cache_dir() == tmp_path / "cache" / "dailypapers"
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")  # a home that cannot hold the cache (even for root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder))
    assert cache_dir() == Path(tempfile.gettempdir()) / f"dailypapers-{os.getuid()}"


def test_sessions_keep_layer_norms_out_of_the_slow_fused_kernel(embedder, tmp_path):
    """onnxruntime would fuse the residual adds and LayerNormalization into
    SkipLayerNormalization, a quarter of the embedder's time on CPU; the sessions turn that
    fusion off (an onnxruntime that renamed it would fail here, not slow down unseen)."""
    import onnx
    import onnxruntime as ort

    from dailypapers.search.embeddings import SESSION_OFF

    def optimised(disabled: list[str]) -> set[str]:
        options = ort.SessionOptions()
        options.optimized_model_filepath = str(tmp_path / "optimised.onnx")
        ort.InferenceSession(str(embedder.model_path), options, disabled_optimizers=disabled)
        return {node.op_type for node in onnx.load(options.optimized_model_filepath).graph.node}

    assert "SkipLayerNormalization" in optimised([])  # what the fusion would make
    ops = optimised(SESSION_OFF)
    assert "SkipLayerNormalization" not in ops and "LayerNormalization" in ops
    assert {"DynamicQuantizeMatMul", "QAttention"} <= ops  # the int8 products stay fused
