"""Request-scoped dependencies: a database session and the stores built on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request

from dailypapers.papers.store import PaperStore


async def paper_store(request: Request) -> AsyncIterator[PaperStore]:
    """A store whose session is closed on the event loop, not in the thread pool.

    A sync generator dependency closes its session in a second thread-pool call; under load
    every pool thread can be busy waiting for a database connection that only such a closing
    call would return, and requests stall until the pool times out (bench/web.py found it: 0
    requests in 20 s at 64 connections). Closing here returns the connection at once.
    """
    session = request.app.state.sessions()
    try:
        yield PaperStore(session)
    finally:
        session.close()
