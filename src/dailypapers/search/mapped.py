"""Vectors for large corpora: an HNSW graph on disk (usearch), memory-mapped by every process.

A `MappedVectors` is two parts:

- the *base*, `vectors/base-<generation>.usearch`: every embedding up to a watermark (the id of
  the last `paper_embeddings` row it holds), int8 vectors in an HNSW graph; each web process
  maps the same file read-only, so the operating system keeps one copy in its page cache for all
  of them and a process starts without reading it. The graph finds candidates (up to 20 more
  than asked); their exact scores come from the stored float vectors (`exact`, read by id from the
  database), so results and scores are those of exact search for the papers found;
- the *fresh rows*, embeddings written after the watermark, searched exactly in memory (the
  `VectorIndex` of small corpora).

`dailypapers index` folds the fresh rows into a new generation when there are enough of them
(`compact`: load the graph, add, write a new file, switch atomically); processes notice the new
file on their next refresh and map it instead. Below `EXACT_BELOW` papers no graph is built and
search stays exact (it is as fast there, and exact). docs/decisions.md has the measurements.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dailypapers.common import locks
from dailypapers.search.interfaces import SearchesWith
from dailypapers.search.vectors import VectorIndex

log = logging.getLogger(__name__)
EXACT_BELOW = 100_000  # papers: exact search is ~8 ms there (bench/search)
FRESH_SHARE = 0.05  # fold the fresh rows in once they are this share of the base
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 256
OVERFETCH = 20  # extra candidates asked of the graph (at most one per result), re-scored exactly
Exact = Callable[[list[int]], dict[int, np.ndarray]]  # paper ids -> stored float vectors
_BASE = re.compile(r"base-(\d+)\.usearch$")

Rows = Iterator[tuple[int, np.ndarray, np.ndarray]]  # (last embedding id, paper ids, vectors)


class GraphBusy(RuntimeError):
    """Another process is writing the next generation of the graph."""


@dataclass(frozen=True)
class BaseInfo:
    generation: int
    watermark: int  # the last paper_embeddings.id the graph holds
    count: int
    model: str


def _usearch() -> Any:
    """usearch's module, imported after onnxruntime: the other way round, importing
    onnxruntime crashes the process (usearch 2.26 + onnxruntime 1.32, seen here)."""
    import onnxruntime  # noqa: F401
    from usearch import index

    return index


def _new_index(dim: int) -> Any:
    Index = _usearch().Index

    return Index(
        ndim=dim, metric="ip", dtype="i8", connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH,
    )  # fmt: skip


class MappedVectors(SearchesWith):
    def __init__(self, folder: Path, dim: int, model: str, exact: Exact | None = None) -> None:
        """`exact` reads stored vectors by paper id; without it the graph's own int8 vectors
        give the scores (tests, benchmarks of the graph alone)."""
        self.folder = folder
        self.dim = dim
        self.model = model
        self.exact = exact
        self._fresh = VectorIndex(dim)
        self._base: Any = None
        self.info: BaseInfo | None = None
        self._lock = threading.Lock()
        self.reload()

    # --- the base file ------------------------------------------------------------------------

    def latest(self) -> BaseInfo | None:
        """The newest complete generation on disk for this model."""
        if not self.folder.exists():
            return None
        found = []
        for path in self.folder.iterdir():
            match = _BASE.match(path.name)
            meta = path.with_suffix(".json")
            if match and meta.exists():  # the .json is written last: its presence = complete
                data = json.loads(meta.read_text())
                if data["model"] == self.model:
                    found.append(BaseInfo(int(match.group(1)), data["watermark"],
                                          data["count"], data["model"]))  # fmt: skip
        return max(found, key=lambda b: b.generation, default=None)

    def _path(self, generation: int) -> Path:
        return self.folder / f"base-{generation}.usearch"

    def reload(self) -> bool:
        """Map the newest generation if it is newer than the one mapped; True when it changed
        (the caller then reloads the fresh rows after the new watermark)."""
        latest = self.latest()
        if latest is None or (self.info and latest.generation <= self.info.generation):
            return False
        base = _usearch().Index.restore(str(self._path(latest.generation)), view=True)
        if base is None:
            raise RuntimeError(f"{self._path(latest.generation)} is not a usearch index")
        base.expansion_search = EXPANSION_SEARCH
        with self._lock:
            self._base, self.info = base, latest
            self._fresh = VectorIndex(self.dim)
        log.info("mapped %s vectors (generation %d)", f"{latest.count:,}", latest.generation)
        return True

    @property
    def watermark(self) -> int:
        return self.info.watermark if self.info else 0

    # --- VectorSearch ---------------------------------------------------------------------------

    def __len__(self) -> int:
        base = self.info.count if self.info else 0
        return base + len(self._fresh)  # a re-embedded paper counts twice: a note, not a result

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        self._fresh.add(ids, vectors)

    def vector_of(self, paper_id: int) -> np.ndarray | None:
        fresh = self._fresh.vector_of(paper_id)
        if fresh is not None or self._base is None or not self._base.contains(paper_id):
            return fresh
        return self._vectors([paper_id]).get(paper_id)

    def _vectors(self, paper_ids: list[int]) -> dict[int, np.ndarray]:
        """Vectors of papers in the graph: the stored float ones, else the graph's own."""
        if self.exact is not None:
            return self.exact(paper_ids)
        keys = np.array(paper_ids, dtype=np.uint64)
        found = np.asarray(self._base.get(keys), dtype=np.float32).reshape(len(keys), -1)
        return {
            p: v / max(float(np.linalg.norm(v)), 1e-12)
            for p, v in zip(paper_ids, found, strict=True)
        }

    def _search(
        self, query: np.ndarray, limit: int, exclude: int | None, also: Sequence[int]
    ) -> tuple[list[tuple[int, float]], dict[int, float]]:
        """The graph's candidates and the papers in `also` scored exactly in one read of their
        stored vectors (two reads cost a few ms more per hybrid search at 1M papers)."""
        query = np.asarray(query, dtype=np.float32)
        hits = self._fresh.search(query, limit, exclude)
        scores = self._fresh.scores_for(query, also)
        base = self._base
        if base is None:
            return hits[:limit], scores
        keys: list[int] = []
        if limit > 0:
            found = base.search(query, limit + min(limit, OVERFETCH) + 1)
            keys = [int(k) for k in found.keys]
            keys = [k for k in keys if k != exclude and k not in self._fresh]  # fresh are newer
        rest = [p for p in also if p not in scores and base.contains(p)]
        scored = dict(self._scored(query, list(dict.fromkeys(keys + rest))))
        hits += [(k, scored[k]) for k in keys if k in scored]
        hits.sort(key=lambda hit: -hit[1])
        scores.update((p, scored[p]) for p in rest if p in scored)
        return hits[:limit], scores

    def _scored(self, query: np.ndarray, paper_ids: list[int]) -> list[tuple[int, float]]:
        if not paper_ids:
            return []
        vectors = self._vectors(paper_ids)
        kept = [p for p in paper_ids if p in vectors]
        if not kept:
            return []
        values = np.stack([vectors[p] for p in kept]) @ query
        return [(p, float(v)) for p, v in zip(kept, values, strict=True)]

    # --- building (dailypapers index, one process) ---------------------------------------------

    def should_compact(self, fresh_rows: int, total: int) -> bool:
        if self.info is None:
            return total >= EXACT_BELOW
        return fresh_rows >= max(1, int(FRESH_SHARE * self.info.count))

    @contextmanager
    def building(self) -> Iterator[None]:
        """Hold the right to write the next generation, or GraphBusy: two processes folding at
        once (the index job, the vectors job, a `dailypapers index`) would write the same
        generation's file over each other. The holder reloads first: another may just have
        written one."""

        def busy() -> GraphBusy:
            return GraphBusy("another process is building the vector graph")

        with locks.exclusive(self.folder / "building.lock", busy):
            self.reload()
            yield

    def compact(
        self, rows: Callable[[int], Rows], progress: Callable[[int], None] | None = None
    ) -> BaseInfo:
        """Fold every embedding after the current watermark into a new generation (inside
        `building()`)."""
        Index = _usearch().Index
        self.folder.mkdir(parents=True, exist_ok=True)
        current = self.info
        if current is None:
            index = _new_index(self.dim)
        else:
            index = Index.restore(str(self._path(current.generation)))  # into memory, to add
            index.expansion_search = EXPANSION_SEARCH
        watermark = current.watermark if current else 0
        for last_id, ids, vectors in rows(watermark):
            keys = np.asarray(ids, dtype=np.uint64)
            if len(index):
                present = keys[np.asarray(index.contains(keys), dtype=bool)]
                if len(present):  # papers embedded again since: their new vector replaces
                    index.remove(present)
            index.add(keys, np.asarray(vectors, dtype=np.float32), threads=os.cpu_count() or 1)
            watermark = last_id
            if progress:
                progress(len(keys))
        generation = (current.generation + 1) if current else 1
        path = self._path(generation)
        index.save(str(path) + ".tmp")
        os.replace(str(path) + ".tmp", path)
        info = BaseInfo(generation, watermark, len(index), self.model)
        meta = {"watermark": watermark, "count": info.count, "model": self.model}
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, path.with_suffix(".json"))
        self._retire(generation)
        self.reload()
        return info

    def _retire(self, keep: int) -> None:
        """Remove generations older than the previous one (a process may still map that)."""
        for path in self.folder.iterdir():
            match = _BASE.match(path.name)
            if match and int(match.group(1)) < keep - 1:
                path.with_suffix(".json").unlink(missing_ok=True)
                path.unlink(missing_ok=True)
