"""Web throughput under load: `wrk` (a C load generator, Debian package `wrk`) in a second process
against `dailypapers serve` with production settings, over loopback.

The server gets the demo set, `DAILYPAPERS_ENV=production`, one worker per core, no access log
(the reverse proxy keeps that), no background indexer (the scheduler runs `dailypapers index`),
and its default 10-second cache of anonymous answers (API, feeds and pages); the API is measured
once more with that cache off, to show what a request costs when it has to be computed.
Each URL gets a warm-up, then a measured run; the static stylesheet, served by the same process
with no database or template work, is the floor to compare with.

    python bench/web.py                  # 15 s per URL
    FULL=1 python bench/web.py           # 60 s per URL
    python bench/web.py --database-url postgresql+psycopg://...   # the same on PostgreSQL
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import write_result  # noqa: E402

BIN = Path(sys.executable).parent
TARGET = {"req_per_s": 800, "p99_ms": 100, "errors": 0, "connections": 64}
URLS = [
    ("static file (floor)", "/static/style.css"),
    ("JSON /api/daily_papers", "/api/daily_papers"),
    ("JSON /api/daily_papers?week=", "/api/daily_papers?week=2026-W33"),
    ("HTML / (today's feed)", "/"),
    ("Atom /feeds/daily.atom", "/feeds/daily.atom"),
]
# a signed-in reader's front page: cards shared for 10 s (web/cards.py), their own buttons
SIGNED_IN = ("HTML / signed in (shared cards, own buttons)", "/?signed-in")
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_wrk(output: str) -> dict[str, float]:
    """Requests/s, latency percentiles (ms) and errors from `wrk --latency` output."""

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return round(float(match.group(1)) * _UNIT[match.group(2)], 2) if match else -1.0

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(int(x) for x in socket_errors.groups()) if socket_errors else 0
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return {
        "req_per_s": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": latency("50"),
        "p90_ms": latency("90"),
        "p99_ms": latency("99"),
        "errors": errors,
    }


def wrk(url: str, seconds: int, connections: int, header: str = "") -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


SIGN_IN = """
from dailypapers.community.services import sign_up, start_session
from dailypapers.config import Settings
from dailypapers.db.engine import make_engine, make_sessionmaker
with make_sessionmaker(make_engine(Settings()))() as session:
    user = sign_up(session, "reader", "reader@example.org", "a long bench password 7")
    print(start_session(session, user))
    session.commit()
"""


def signed_in_cookie(env: dict[str, str]) -> str:
    """A signed-in reader's Cookie header (production names the cookie __Host-dp_session)."""
    done = subprocess.run([sys.executable, "-c", SIGN_IN], env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    return f"Cookie: __Host-dp_session={done.stdout.strip()}"


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "dailypapers"), "serve", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/style.css", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"server did not start; see {log}")


def stop(server: subprocess.Popen) -> None:
    """Ask the server to stop; requests still queued from the load may hold it, so insist."""
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    full = bool(os.environ.get("FULL"))
    parser.add_argument("--seconds", type=int, default=60 if full else 15)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/web.py needs wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DAILYPAPERS_ENV": "production",
            "DAILYPAPERS_SECRET_KEY": "bench-" + "x" * 40,
            "DAILYPAPERS_DATA_DIR": tmp,
            "DAILYPAPERS_DATABASE_URL": args.database_url,
            "DAILYPAPERS_SEARCH_WORKER": "false",
            "DAILYPAPERS_SCHEDULER": "false",
            # production requires the public address; the bench never follows its links
            "DAILYPAPERS_BASE_URL": "https://papers.example.org",
        }
        subprocess.run([str(BIN / "dailypapers"), "demo"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        port = free_port()
        cookie = signed_in_cookie(env)
        server = start_server(env, port, args.workers, Path(tmp) / "serve.log")
        rows = []
        try:
            for label, path, header in [*((lb, p, "") for lb, p in URLS), SIGNED_IN + (cookie,)]:
                url = f"http://127.0.0.1:{port}{path}"
                wrk(url, 3, args.connections, header)  # warm-up: caches, connections
                figures = wrk(url, args.seconds, args.connections, header)
                rows.append({"what": label, "path": path, **figures})
                print(f"{label}: {figures['req_per_s']:.0f} req/s, p99 {figures['p99_ms']} ms",
                      flush=True)  # fmt: skip
        finally:
            stop(server)
        # the same API with the per-worker answer cache off: what each request costs uncached
        env["DAILYPAPERS_CACHE_SECONDS"] = "0"
        server = start_server(env, port, args.workers, Path(tmp) / "serve-nocache.log")
        try:
            url = f"http://127.0.0.1:{port}/api/daily_papers"
            wrk(url, 3, args.connections)
            figures = wrk(url, args.seconds, args.connections)
            rows.append({"what": "JSON /api/daily_papers, cache off", "path": "nocache", **figures})
            print(f"uncached API: {figures['req_per_s']:.0f} req/s", flush=True)
        finally:
            stop(server)
    backend = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    print(f"\nwrk, {args.connections} connections, {args.seconds} s per URL, "
          f"{args.workers} workers, {backend}\n")  # fmt: skip
    print("| what | req/s | p50 ms | p90 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['what']} | {r['req_per_s']:,.0f} | {r['p50_ms']} | {r['p90_ms']} | "
              f"{r['p99_ms']} | {r['errors']} |")  # fmt: skip
    api = next(r for r in rows if r["path"] == "/api/daily_papers")
    met = (api["req_per_s"] >= TARGET["req_per_s"] and api["p99_ms"] <= TARGET["p99_ms"]
           and api["errors"] == 0)  # fmt: skip
    print(f"\ntarget for /api/daily_papers: >= {TARGET['req_per_s']} req/s, p99 <= "
          f"{TARGET['p99_ms']} ms, 0 errors: {'met' if met else 'NOT met'}")  # fmt: skip
    name = "web" + ("-postgres" if backend == "postgresql" else "")
    path = write_result(name, {
        "backend": backend, "workers": args.workers, "connections": args.connections,
        "seconds": args.seconds, "target": TARGET, "target_met": met, "urls": rows,
    })  # fmt: skip
    print(f"written to {path}")


if __name__ == "__main__":
    main()
