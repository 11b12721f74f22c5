"""The lexical follower: a second process indexes what a bulk import commits, batch by batch."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from dailypapers.ingest.pipeline import ingest
from dailypapers.ingest.snapshot import read_snapshot
from dailypapers.search.follow import LexicalFollower, lexical_follower
from dailypapers.search.lexical import TantivyIndex
from dailypapers.search.runtime import LEXICAL_DIR, lexical_position
from dailypapers.search.store import SearchStore
from tests.conftest import fixture

HEAD = ("arxiv-snapshot", "arxiv-metadata-oai-snapshot.head200.jsonl")


def test_the_follower_indexes_every_batch_the_import_commits(settings, sessions):
    started_at: list[int] = []
    with lexical_follower(settings) as follower:

        def batch_done(size: int) -> None:
            follower.start()  # as the snapshot command does: from the second batch on
            started_at.append(size)

        report = ingest(
            sessions, (item for _, item in read_snapshot(fixture(*HEAD))),
            batch_size=60, on_batch=batch_done,
        )  # fmt: skip
        assert follower.started
    assert report.new == 200 and len(started_at) == 4
    assert follower.finish() == 0  # it exited by itself, cleanly
    # Nobody else synced: the follower put every paper in the index and moved its position.
    words = TantivyIndex(settings.search_dir / LEXICAL_DIR)
    assert words.count() == 200
    with sessions() as session:
        head = SearchStore(session).log_head()
    assert lexical_position(settings).read().cursor == head


def test_a_follower_never_started_costs_nothing(settings):
    follower = LexicalFollower(settings)
    assert follower.finish() is None and not follower.started
    assert not (settings.search_dir / LEXICAL_DIR).exists()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_the_follower_of_a_killed_import_dies_with_it_even_mid_work(tmp_path):
    """kill -9 of the import must not leave its follower running (holding the index lock, so
    the rerun skips its own indexing as busy). The follower is stopped first, as if in the
    middle of a long write that never looks at its parent: it must die all the same."""
    script = (
        "import sys, time\n"
        "from dailypapers.config import Settings\n"
        "from dailypapers.db import migrate\n"
        "from dailypapers.db.engine import make_engine\n"
        "from dailypapers.search.follow import LexicalFollower\n"
        "settings = Settings()\n"
        "migrate.upgrade(make_engine(settings))\n"
        "follower = LexicalFollower(settings)\n"
        "follower.start()\n"
        "print(follower._process.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(tmp_path)}
    env.pop("DAILYPAPERS_DATABASE_URL", None)
    with subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True
    ) as parent:
        child = int(parent.stdout.readline())
        synced = tmp_path / "search" / f"{LEXICAL_DIR}.position.json"
        deadline = time.monotonic() + 60
        while not synced.exists() and time.monotonic() < deadline:  # it is set up and working
            time.sleep(0.05)
        assert synced.exists() and _alive(child)
        os.kill(child, signal.SIGSTOP)
        parent.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = _alive(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "the follower outlived its import"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_snapshot_command_leaves_every_paper_searchable_by_words(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dailypapers.cli import app

    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    rows = [json.loads(line) for line in fixture(*HEAD).read_text().splitlines()]
    source = tmp_path / "snapshot.jsonl"
    source.write_text(
        "".join(json.dumps({**rows[i % 200], "id": f"0801.{i + 1:05d}"}) + "\n" for i in range(450))
    )
    done = CliRunner().invoke(app, ["ingest", "arxiv-snapshot", "--batch", "100", str(source)])
    assert done.exit_code == 0, done.output
    assert "added 450 new papers" in done.output and "busy" not in done.output
    assert TantivyIndex(tmp_path / "search" / LEXICAL_DIR).count() == 450


def test_an_import_of_one_batch_starts_no_follower(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dailypapers.cli import app

    started: list[bool] = []
    monkeypatch.setattr(LexicalFollower, "start", lambda self: started.append(True))
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    done = CliRunner().invoke(app, ["ingest", "arxiv-snapshot", str(fixture(*HEAD))])
    assert done.exit_code == 0 and "added 200 new papers" in done.output
    assert started == []  # 200 lines, one batch: nothing to follow
    assert TantivyIndex(tmp_path / "search" / LEXICAL_DIR).count() == 200  # the command's sync
