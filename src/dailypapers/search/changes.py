"""Where one lexical index stands in the database's change log (`search_changes`).

Every host keeps its own BM25 index; the log is shared. The position is kept beside the index
it describes (a folder wiped means an index rebuilt, never a cursor that lies), written after
the index commits, so a crash re-applies a batch at worst (applying is idempotent). One process
at a time applies changes to an index: the others skip the round (`IndexBusy`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from dailypapers.common import locks
from dailypapers.search.lexical import IndexBusy

RETAIN = dt.timedelta(days=7)  # changes older than this are pruned from the log
STALE = RETAIN - dt.timedelta(days=1)  # an index not synced for this long is rebuilt


class Cursor(NamedTuple):
    """A position in the change log: (transaction id, sequence number), compared as a pair."""

    txid: int
    seq: int


START = Cursor(0, 0)


@dataclass(frozen=True)
class Position:
    cursor: Cursor
    synced_at: dt.datetime  # naive UTC

    def stale(self, now: dt.datetime) -> bool:
        """Older than the log keeps: changes may have been pruned unread."""
        return now - self.synced_at > STALE


class PositionFile:
    """The position of the index at `path` (None: in memory, for one process)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._memory: Position | None = None
        self._lock = threading.Lock()

    def read(self) -> Position | None:
        """None when this index has never been synced from the log."""
        if self.path is None:
            return self._memory
        try:
            data = json.loads(self.path.read_text())
            return Position(
                Cursor(int(data["txid"]), int(data["seq"])),
                dt.datetime.fromisoformat(data["synced_at"]),
            )
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return None  # unreadable: treated as never synced (the index is rebuilt)

    def write(self, position: Position) -> None:
        if self.path is None:
            self._memory = position
            return
        data = {
            "txid": position.cursor.txid,
            "seq": position.cursor.seq,
            "synced_at": position.synced_at.isoformat(),
        }
        temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self.path)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the right to apply changes to this index; IndexBusy when another holds it."""
        if self.path is None:
            if not self._lock.acquire(blocking=False):
                raise IndexBusy("another thread is syncing this index")
            try:
                yield
            finally:
                self._lock.release()
            return
        lock = self.path.with_name(f"{self.path.name}.lock")
        with locks.exclusive(lock, lambda: IndexBusy("another process is syncing this index")):
            yield
