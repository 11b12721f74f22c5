"""`dailypapers digest` as cron and an operator use it: exit codes and clear errors."""

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from tests.digest.test_faults import env_for
from tests.factories import record, store_records, subscriber


@pytest.fixture
def run(settings, engine, monkeypatch):
    for key, value in env_for(settings).items():
        if key.startswith("DAILYPAPERS_"):
            monkeypatch.setenv(key, value)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_exit_codes_sent_then_nothing_then_errors(run, sessions, smtp):
    store_records(sessions, record())
    subscriber(sessions, "ada@example.org")
    first = run("digest", "send", "--date", "2026-06-10")
    assert first.exit_code == 0, first.output
    assert "1 new digests" in first.output and "sent 1" in first.output
    assert run("digest", "send", "--date", "2026-06-10").exit_code == 1
    weekend = run("digest", "send", "--date", "2026-06-13")
    assert weekend.exit_code == 1 and "weekdays" in weekend.output
    assert run("digest", "send", "--frequency", "hourly").exit_code == 2
    bad_date = run("digest", "send", "--date", "10/06/2026")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    assert "outbox: sent 1" in run("digest", "status").output
    not_in_flight = run("digest", "resolve", "1", "--sent")
    assert not_in_flight.exit_code == 2 and "not in flight" in not_in_flight.output


def test_smtp_unreachable_exits_2_with_one_clear_line(run, sessions, monkeypatch):
    from tests.smtp import free_port

    monkeypatch.setenv("DAILYPAPERS_SMTP_PORT", str(free_port()))
    store_records(sessions, record())
    subscriber(sessions, "ada@example.org")
    result = run("digest", "send", "--date", "2026-06-10")
    assert result.exit_code == 2
    assert "stopped:" in result.output and "cannot reach the SMTP server" in result.output
    assert isinstance(result.exception, SystemExit)  # a deliberate exit, not a crash
