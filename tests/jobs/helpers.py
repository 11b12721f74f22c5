"""A loopback Hugging Face: `/api/daily_papers?date=D&p=&limit=` answered from raw responses
(tests/data/hf-daily/raw), an empty list for days without a file, outages on demand."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import fixture
from tests.replay import ReplayServer, Reply


class FakeHub:
    def __init__(self, raw: Path | None = None) -> None:
        self.raw = raw or fixture("hf-daily", "raw")
        self.down: set[str] = set()  # days answering 503 with Retry-After
        self.broken: set[str] = set()  # days answering something that is not JSON
        self.slow: dict[str, float] = {}  # days that take this long to answer
        self.ignores_paging = False  # answer page 0 whatever `p` asks

    def answer(self, path: str, query: dict[str, str]) -> Reply | None:
        if path != "/api/daily_papers":
            return None
        day = query.get("date", "")
        if day in self.down:
            return Reply(503, b"overloaded", {"Retry-After": "0"})
        if day in self.broken:
            return Reply(200, b"<html>not json</html>", {"Content-Type": "text/html"})
        file = self.raw / f"{day}.json"
        items = json.loads(file.read_text()) if file.exists() else []
        if isinstance(items, dict):
            items = items["data"]
        page, limit = int(query.get("p", "0")), int(query.get("limit", "50"))
        page = 0 if self.ignores_paging else page
        chunk = items[page * limit : (page + 1) * limit]
        body = json.dumps(chunk).encode()
        return Reply(200, body, {"Content-Type": "application/json"}, self.slow.get(day, 0.0))


@contextmanager
def fake_hub() -> Iterator[tuple[ReplayServer, FakeHub]]:
    hub = FakeHub()
    with ReplayServer() as server:
        server.resolver = hub.answer
        yield server, hub


def clock_at(day: dt.date, hour: int = 12):  # noqa: ANN201
    return lambda: dt.datetime.combine(day, dt.time(hour))
