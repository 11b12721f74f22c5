"""Two ingest processes at once on the same database: no duplicates, no failures."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from dailypapers.db.models import FeedEntry, Paper, PaperAuthor
from tests.conftest import fixture

# kills processes or runs whole commands: `make test FAST=1` leaves them out
pytestmark = pytest.mark.slow


def counts(sessions):
    with sessions() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(m))
            for m in (Paper, PaperAuthor, FeedEntry)
        )


def test_two_processes_ingesting_the_same_files(settings, sessions, tmp_path):
    raw = str(fixture("hf-daily", "raw"))
    env = {**os.environ, "DAILYPAPERS_DATABASE_URL": settings.database_url,
           "DAILYPAPERS_DATA_DIR": str(tmp_path)}  # fmt: skip
    cmd = [sys.executable, "-m", "dailypapers.cli", "ingest", "hf-daily", raw]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    for _out, err, code in results:
        assert code in (0, 1), err  # new papers or nothing new, never an error
    together = counts(sessions)
    added = sum(int(out.split("added ")[1].split(" new")[0]) for out, _, _ in results)
    assert added == together[0]  # each paper was new for exactly one of them
    # the same files imported once, into a fresh database of the same kind, give the same rows
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "added 0 new papers, 0 updated" in again.stdout
    assert counts(sessions) == together
