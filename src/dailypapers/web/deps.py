"""Request-scoped dependencies: a database session and the stores built on it."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request

from dailypapers.papers.store import PaperStore


def paper_store(request: Request) -> Iterator[PaperStore]:
    with request.app.state.sessions() as session:
        yield PaperStore(session)
