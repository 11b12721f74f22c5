"""A polite HTTP client for public archives: spacing between requests, retries, Retry-After."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable

import httpx

log = logging.getLogger(__name__)
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(RuntimeError):
    """The source could not be reached or kept failing after every retry."""


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. Pure."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class PoliteClient:
    def __init__(
        self,
        *,
        min_interval: float = 3.0,
        retries: int = 4,
        backoff: float = 2.0,
        max_wait: float = 300.0,
        timeout: float = 60.0,
        user_agent: str = "dailypapers (+https://github.com/dailypapers)",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.sleep = sleep
        self.clock = clock
        self._last: float | None = None
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=10.0),
            headers={"User-Agent": user_agent},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(self, url: str, params: dict[str, str] | None = None) -> httpx.Response:
        """GET with spacing and retries; 4xx other than 429 come back to the caller to read."""
        problem = ""
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                response = self._http.get(url, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                self._pause(attempt, None, problem)
                continue
            if response.status_code not in RETRY_STATUS:
                return response
            problem = f"HTTP {response.status_code}"
            self._pause(attempt, retry_after_seconds(response.headers.get("Retry-After")), problem)
        raise FetchError(f"{url}: gave up after {self.retries + 1} attempts ({problem})")

    def _wait_turn(self) -> None:
        if self._last is not None:
            remaining = self.min_interval - (self.clock() - self._last)
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()

    def _pause(self, attempt: int, retry_after: float | None, problem: str) -> None:
        if attempt >= self.retries:
            return
        wait = retry_after if retry_after is not None else self.backoff * 2**attempt
        wait = min(wait, self.max_wait)
        log.info("%s; retrying in %.1f s", problem, wait)  # the caller reports a final failure
        self.sleep(wait)
