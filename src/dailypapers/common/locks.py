"""One writer at a time, across processes: an exclusive lock on a file, never waited for."""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(path: Path, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold an exclusive lock on `path` (made if missing) for the block, or raise `busy()` at
    once when another process, or another open of the file, holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise busy() from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
