"""What a database failure means for the person reading the message (read-only, disk full...)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

READ_ONLY = (
    "the database is read-only (file permissions, a read-only mount, or a replica); "
    "nothing was changed"
)
DISK_FULL = "the disk is full; free some space and run it again (finished batches were kept)"


def storage_problem(exc: DBAPIError) -> str:
    """One line: the plain meaning when we recognise it, else the driver's own first line."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "readonly database" in lowered or "read-only" in lowered or "read only" in lowered:
        return READ_ONLY
    if "disk is full" in lowered or "no space left" in lowered or "disk full" in lowered:
        return DISK_FULL
    if "unable to open database" in lowered:
        return f"cannot open the database ({text})"
    return text.splitlines()[0] if text else type(exc).__name__
