"""Keeping the lexical index in step from a second process while a bulk import writes papers.

An import of the arXiv snapshot is one busy Python thread: parsing lines and inserting rows.
Each committed batch logs its papers for the lexical index (search/changes.py), so another
process can apply that log meanwhile, on the other core, with the usual `sync_lexical`: when the
import ends, the index is done too, instead of being built from a read-back of every paper.

A process, not a thread: tantivy gives back the GIL on every document it takes, and a thread
feeding it beside a busy one waits a switch interval (5 ms) for each (measured: 30k documents,
0.6 s alone, 137 s beside a busy thread). It runs at a lower priority, so the import keeps its
core, and the command starts it once a full batch is in, so an import of one batch never
waits for it. It dies with the import: a rerun after `kill -9` must not find the last run's
follower still holding the index (it would skip its own indexing as "busy").
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dailypapers.config import Settings

PAUSE = 0.5  # seconds the follower waits when it has caught up with the import
NICENESS = 10
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class LexicalFollower:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._context = multiprocessing.get_context("spawn")  # never fork open connections
        self._stop: Any = None
        self._process: Any = None

    @property
    def started(self) -> bool:
        return self._process is not None

    def start(self) -> None:
        """Start following (again: nothing); call it once the import has committed a batch,
        from the import's main thread (on Linux the follower dies with the thread that
        started it)."""
        if self._process is not None:
            return
        self._stop = self._context.Event()
        self._process = self._context.Process(
            target=follow, args=(self.settings, self._stop), daemon=True
        )
        self._process.start()

    def finish(self) -> int | None:
        """Let the follower apply what is left and wait for it; its exit code, None if it
        never started."""
        if self._process is None:
            return None
        self._stop.set()
        self._process.join()
        return int(self._process.exitcode)


@contextmanager
def lexical_follower(settings: Settings) -> Iterator[LexicalFollower]:
    """A follower for the body to `start()`; the exit waits until it has applied everything
    the body committed. The caller still runs its own `sync_lexical` afterwards: it finds
    nothing left, or what a failed follower did not do."""
    follower = LexicalFollower(settings)
    try:
        yield follower
    finally:
        follower.finish()


def follow(settings: Settings, stop: Any, pause: float = PAUSE) -> None:
    """The second process: sync until `stop` is set, then once more, and exit."""
    from dailypapers.db.engine import make_engine, make_sessionmaker
    from dailypapers.search.lexical import IndexBusy
    from dailypapers.search.runtime import build_search

    os.nice(NICENESS)
    parent = multiprocessing.parent_process()
    die_with_parent(parent.pid if parent else None)
    engine = make_engine(settings)
    try:
        indexer = build_search(settings, make_sessionmaker(engine), with_embedder=False).indexer
        # Where the kernel cannot kill it with the import, it stops at its next turn.
        while parent is None or parent.is_alive():  # killed (-9) import: the rerun syncs
            last = stop.is_set()
            try:
                done = indexer.sync_lexical()
            except IndexBusy:
                return  # another process keeps this index in step
            if last:
                return
            if not done:
                stop.wait(pause)
    except KeyboardInterrupt:
        return
    except Exception as exc:  # the import goes on; its own sync applies what is left
        print(f"search index: following the import stopped: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    finally:
        engine.dispose()


def die_with_parent(parent_pid: int | None) -> None:
    """Linux: have the kernel kill this process when its parent dies, even in the middle of a
    long write (uncommitted index work is simply lost, and the locks are released with it).
    Elsewhere nothing: the follower's loop notices a dead parent at its next turn."""
    if not sys.platform.startswith("linux") or parent_pid is None:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request was made
        os._exit(0)
