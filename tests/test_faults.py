"""kill -9 in the middle of long commands, then a rerun: nothing lost, nothing twice."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from dailypapers.search.lexical import TantivyIndex
from tests.conftest import fixture

# kills processes or runs whole commands: `make test FAST=1` leaves them out
pytestmark = pytest.mark.slow

HEAD = ("arxiv-snapshot", "arxiv-metadata-oai-snapshot.head200.jsonl")


def env_for(tmp_path):
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(tmp_path / "data")}
    env.pop("DAILYPAPERS_DATABASE_URL", None)
    return env


def count(tmp_path, sql):
    db = tmp_path / "data" / "dailypapers.db"
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        try:
            return conn.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:  # schema not created yet
            return 0


def kill_when(proc, ready, timeout=120):
    deadline = time.monotonic() + timeout
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the command finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize("kill_after", [3000, 17000])  # early and late in the 30,000 lines
def test_kill_9_during_snapshot_import_then_rerun(tmp_path, kill_after):
    rows = [json.loads(line) for line in fixture(*HEAD).read_text().splitlines()]
    source = tmp_path / "snapshot.jsonl"
    with source.open("w") as out:
        for i in range(30_000):
            out.write(json.dumps({**rows[i % 200], "id": f"0801.{i + 1:05d}"}) + "\n")
    cmd = [sys.executable, "-m", "dailypapers.cli", "ingest", "arxiv-snapshot", "--batch", "1000",
           str(source)]  # fmt: skip
    env = env_for(tmp_path)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(proc, lambda: count(tmp_path, "SELECT count(*) FROM papers") >= kill_after)
    landed = count(tmp_path, "SELECT count(*) FROM papers")
    assert kill_after <= landed < 30_000 and landed % 1000 == 0  # whole batches only
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"added {30_000 - landed} new papers" in rerun.stdout
    assert count(tmp_path, "SELECT count(*) FROM papers") == 30_000
    assert count(tmp_path, "SELECT count(*) FROM feed_entries") == 0  # listed, not curated
    words = TantivyIndex(tmp_path / "data" / "search" / "tantivy-v1")  # the lexical index
    assert words.count() == 30_000  # each paper once, none lost to the kill


def test_kill_9_during_index_then_rerun(tmp_path):
    env = env_for(tmp_path)
    base = [sys.executable, "-m", "dailypapers.cli"]
    day = str(fixture("hf-daily", "raw", "2026-06-30.json"))  # 34 papers
    assert subprocess.run([*base, "ingest", "hf-daily", day], env=env, timeout=120).returncode == 0
    proc = subprocess.Popen([*base, "index", "--batch", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    kill_when(proc, lambda: count(tmp_path, "SELECT count(*) FROM paper_embeddings") >= 4)
    done = count(tmp_path, "SELECT count(*) FROM paper_embeddings")
    assert 4 <= done < 34
    rerun = subprocess.run([*base, "index"], env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"embedded {34 - done} papers" in rerun.stdout
    assert count(tmp_path, "SELECT count(*) FROM paper_embeddings") == 34
    assert count(tmp_path, "SELECT count(DISTINCT paper_id) FROM paper_embeddings") == 34
