"""Client addresses behind a reverse proxy (issue 13, item 7): `X-Forwarded-For` counts only from
the peers FORWARDED_ALLOW_IPS names, so a client cannot dodge the per-address limits by sending
the header itself. Through the real `dailypapers serve` (uvicorn's proxy-header handling)."""

import os
import signal

import httpx
import pytest

from tests.community.test_votes_processes import serve

pytestmark = pytest.mark.slow


def login_attempts(base, count):
    """`count` failed sign-ins, each claiming another address and naming another account."""
    codes = []
    with httpx.Client(base_url=base, timeout=30) as http:
        http.get("/login")
        for i in range(count):
            data = {"login": f"nobody{i}", "password": "wrong password", "csrf_token":
                    http.cookies["dp_csrf"]}  # fmt: skip
            headers = {"X-Forwarded-For": f"203.0.113.{i}"}
            codes.append(http.post("/login", data=data, headers=headers).status_code)
    return codes


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ("10.255.255.1", [400] * 10 + [429]),  # the peer (127.0.0.1) is not the proxy: ignored
        ("127.0.0.1", [400] * 11),  # the peer is the proxy: each claimed address counts apart
    ],
)
def test_forwarded_for_counts_only_from_the_trusted_proxy(settings, engine, trusted, expected):
    proc, base = serve(settings, workers=1, FORWARDED_ALLOW_IPS=trusted)
    try:
        assert login_attempts(base, 11) == expected
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
