"""kill -9 of `digest send` at several points, and two senders at once, on both backends.

The rule: no reader ever gets two digests for one period; after reruns everyone has one, except
at most the one message in flight at each kill, which `digest status` lists instead of resending.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from dailypapers.db.models import DigestOutbox
from tests.factories import record, store_records, subscriber

# kills processes or runs whole commands: `make test FAST=1` leaves them out
pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "dailypapers.cli"]
SEND = [*CLI, "digest", "send", "--date", "2026-06-10"]


def env_for(settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAILYPAPERS_")}
    env.update(
        DAILYPAPERS_DATA_DIR=str(settings.data_dir),
        DAILYPAPERS_DATABASE_URL=settings.database_url,
        DAILYPAPERS_SMTP_HOST=settings.smtp_host,
        DAILYPAPERS_SMTP_PORT=str(settings.smtp_port),
        DAILYPAPERS_SMTP_STARTTLS="false",
        DAILYPAPERS_MAIL_FROM=settings.mail_from,
        DAILYPAPERS_BASE_URL=settings.base_url,
    )
    return env


@pytest.fixture
def readers(sessions):
    store_records(sessions, *(record(title=f"Paper {i} on topic {i}") for i in range(3)))
    return [subscriber(sessions, f"r{i:03d}@example.org") for i in range(40)]


def per_reader(smtp):
    counts = {}
    for message in smtp.sink.messages:
        counts[message["To"]] = counts.get(message["To"], 0) + 1
    return counts


def status(env):
    result = subprocess.run([*CLI, "digest", "status"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def kill_at(proc, smtp, hook, at):
    """Kill the sender from inside the SMTP conversation: at MAIL FROM of message `at` (it is
    marked in flight, not yet handed over) or right after its DATA (handed over, not confirmed)."""
    fired = threading.Event()

    def maybe_kill(count):
        if count == at and not fired.is_set():
            fired.set()
            os.kill(proc.pid, signal.SIGKILL)

    setattr(smtp.sink, hook, maybe_kill)
    proc.wait(timeout=120)
    setattr(smtp.sink, hook, None)
    assert fired.is_set(), "the sender finished before the kill point"


@pytest.mark.parametrize("seed", [1, 2])
def test_kill_9_while_sending_then_rerun(settings, smtp, readers, sessions, seed):
    env = env_for(settings)
    rng = random.Random(seed)
    points = [("on_mail", rng.randrange(1, 12)), ("on_data", rng.randrange(14, 26))]
    for hook, at in points:
        proc = subprocess.Popen(SEND, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kill_at(proc, smtp, hook, at)
        assert all(n == 1 for n in per_reader(smtp).values())
    listed = status(env)
    assert "in flight (unknown whether delivered): 2" in listed
    final = subprocess.run(SEND, env=env, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    got = per_reader(smtp)
    assert all(n == 1 for n in got.values()), "a reader got two digests"
    assert len(got) == 39  # everyone but the one killed at MAIL FROM; the DATA one did arrive
    with sessions() as session:
        flights = session.execute(
            select(DigestOutbox.id, DigestOutbox.subscriber_id).where(
                DigestOutbox.status == "sending"
            )
        ).all()
    assert len(flights) == 2
    # the operator checks the server's log: one arrived, one did not
    for outbox_id, _ in flights:
        delivered = f"#{outbox_id} " in listed and any(
            m["Message-ID"].startswith(f"<digest.{outbox_id}.") for m in smtp.sink.messages
        )
        verdict = "--sent" if delivered else "--resend"
        resolved = subprocess.run([*CLI, "digest", "resolve", str(outbox_id), verdict], env=env,
                                  capture_output=True, text=True)  # fmt: skip
        assert resolved.returncode == 0, resolved.stderr
    subprocess.run(SEND, env=env, capture_output=True, timeout=120)
    got = per_reader(smtp)
    assert len(got) == 40 and set(got.values()) == {1}
    assert "in flight: none" in status(env)


def test_kill_9_while_composing_then_rerun(settings, smtp, sessions, search):
    store_records(sessions, *(record(title=f"Paper {i} about graphs") for i in range(5)))
    search.catch_up(embed_limit=None)  # vectors, so composing embeds each reader's keywords
    for i in range(300):
        subscriber(sessions, f"r{i:03d}@example.org", keywords=f"topic number {i}")
    env = env_for(settings)
    proc = subprocess.Popen([*SEND, "--batch", "10"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip

    def planned():
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(DigestOutbox)) or 0

    deadline = time.monotonic() + 120
    while planned() < 50 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "composing finished before the kill"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    landed = planned()
    assert 50 <= landed < 300 and landed % 10 == 0  # whole batches only
    assert smtp.sink.messages == []
    rerun = subprocess.run(SEND, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    got = per_reader(smtp)
    assert len(got) == 300 and set(got.values()) == {1}


def test_two_senders_at_once_send_each_digest_once(settings, smtp, readers):
    env = env_for(settings)
    procs = [subprocess.Popen(SEND, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]  # fmt: skip
    outputs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode in (0, 1) for p in procs), outputs
    got = per_reader(smtp)
    assert len(got) == 40 and set(got.values()) == {1}
