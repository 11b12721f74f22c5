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


# Conditions of the storage itself, not of a request: the web answers 503 (try again later).
_STORAGE = (
    "readonly database",
    "read-only",
    "read only",
    "disk is full",
    "no space left",
    "disk full",
    "unable to open database",
    "database is locked",
    "connection refused",
    "server closed the connection",
    "could not connect",
    "too many clients",
)


def refused_text(exc: DBAPIError) -> bool:
    """PostgreSQL refuses text holding a NUL character (SQLite keeps it): that is the input's
    fault, a bad request, wherever it came from (a path, a query, a form, a JSON body)."""
    return "cannot contain nul" in (str(exc.orig) if exc.orig is not None else str(exc)).lower()


def storage_condition(exc: DBAPIError) -> str | None:
    """The plain message when the failure is the storage's (read-only, full, unreachable, busy);
    None for anything else (a constraint, a bug), which is the program's fault, not the disk's."""
    text = (str(exc.orig) if exc.orig is not None else str(exc)).lower()
    if exc.connection_invalidated or any(words in text for words in _STORAGE):
        return storage_problem(exc)
    return None
