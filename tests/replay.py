"""A real HTTP server on 127.0.0.1 that replays recorded responses, for testing HTTP clients.

Routes map a request (path + query) to a queue of responses; the last one repeats. Every request
is logged with its arrival time so tests can check pacing and what was asked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ARXIV_KEYS = ("id_list", "search_query", "start", "max_results")


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hold the answer (to catch a client mid-request)


Matcher = Callable[[str, dict[str, str]], bool]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout tests) is expected, not an error


class ReplayServer:
    def __init__(self) -> None:
        self.routes: list[tuple[Matcher, list[Reply]]] = []
        self.resolver: Callable[[str, dict[str, str]], Reply | None] | None = None
        self.log: list[tuple[float, str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                server.log.append((time.monotonic(), parts.path, query))
                reply = server.reply_for(parts.path, query)
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in {"Content-Type": "application/xml", **reply.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def add(self, matcher: Matcher, *replies: Reply) -> None:
        self.routes.append((matcher, list(replies)))

    def reply_for(self, path: str, query: dict[str, str]) -> Reply:
        if self.resolver and (found := self.resolver(path, query)):
            return found
        for matcher, replies in self.routes:
            if matcher(path, query):
                return replies.pop(0) if len(replies) > 1 else replies[0]
        return Reply(404, b"no recorded response for this request")

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@contextmanager
def arxiv_replay(recorded: Path) -> Iterator[ReplayServer]:
    """The recorded arXiv API exchanges (arxiv-api/recorded_2026), answered by their parameters."""
    table = {}
    for path in recorded.glob("*.json"):
        data = json.loads(path.read_text())
        query = parse_qs(urlsplit(data["url"]).query, keep_blank_values=True)
        key = tuple(query.get(k, [""])[-1] for k in ARXIV_KEYS)
        table[key] = Reply(data["status_code"], data["body"].encode())
    with ReplayServer() as server:
        server.resolver = lambda path, q: table.get(tuple(q.get(k, "") for k in ARXIV_KEYS))
        yield server
