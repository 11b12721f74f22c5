"""The CLI as cron would run it: exit codes, idempotence, clear errors."""

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from tests.conftest import fixture


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_ingest_exit_codes_new_then_nothing_new(run):
    day = str(fixture("hf-daily", "raw", "2026-06-30.json"))
    first = run("ingest", "hf-daily", day)
    assert first.exit_code == 0, (first.output, first.exception)
    assert "added 34 new papers" in first.output
    second = run("ingest", "hf-daily", day)
    assert second.exit_code == 1
    assert "added 0 new papers, 0 updated" in second.output


def test_ingest_dry_run_then_real(run):
    day = str(fixture("hf-daily", "raw", "2025-01-10.json"))
    assert "would add 9 new papers" in run("ingest", "hf-daily", "--dry-run", day).output
    assert run("ingest", "hf-daily", day).exit_code == 0


def test_ingest_reports_bad_records_and_missing_paths(run, tmp_path):
    bad = tmp_path / "2026-06-30.json"
    bad.write_text('[{"paper": {"id": "abc", "title": "x"}}]')
    result = run("ingest", "hf-daily", str(bad))
    assert result.exit_code == 1
    assert "2026-06-30.json[0]" in result.output and "not an arXiv id" in result.output
    missing = run("ingest", "hf-daily", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_demo_loads_once(run):
    first = run("demo")
    assert first.exit_code == 0 and "new papers" in first.output
    assert "already loaded" in run("demo").output
    forced = run("demo", "--force")
    assert "added 0 new papers, 0 updated" in forced.output


def test_database_errors_are_one_clear_line(run, tmp_path, monkeypatch):
    monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", f"sqlite:///{tmp_path}/missing-dir/x/../y.db")
    (tmp_path / "missing-dir").write_text("a file, not a folder")
    result = run("db", "upgrade")
    assert result.exit_code == 2
    # a deliberate exit (typer.Exit), not an exception the runner caught, and one line
    assert isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_database_passwords_are_never_printed(run, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/x.db"
    secret_url = "postgresql+psycopg://reader:s3cr3t-pw@127.0.0.1:1/nowhere?connect_timeout=1"
    monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", url)
    assert "database at head" in run("db", "upgrade").output
    monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", secret_url)
    failed = run("db", "upgrade")
    assert failed.exit_code == 2 and "database error" in failed.output
    assert "s3cr3t-pw" not in failed.output


def test_mail_secrets_are_never_printed_or_logged(run, tmp_path, monkeypatch, caplog):
    """The SMTP password and the signing key stay out of output, logs and settings dumps."""
    from dailypapers.config import Settings
    from tests.smtp import free_port

    password, key = "smtp-pa55-word-xyz", "k3y-" + "s" * 40
    monkeypatch.setenv("DAILYPAPERS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DAILYPAPERS_SMTP_PORT", str(free_port()))  # nothing listens
    monkeypatch.setenv("DAILYPAPERS_SMTP_USER", "digest")
    monkeypatch.setenv("DAILYPAPERS_SMTP_PASSWORD", password)
    monkeypatch.setenv("DAILYPAPERS_SECRET_KEY", key)
    settings = Settings()
    assert password not in repr(settings) and key not in repr(settings)
    assert password not in settings.model_dump_json() and key not in settings.model_dump_json()
    run("ingest", "hf-daily", str(fixture("hf-daily", "raw", "2025-01-10.json")))
    sent = run("digest", "send", "--date", "2025-01-10")
    assert sent.exit_code in (1, 2)
    monkeypatch.setenv("DAILYPAPERS_ENV", "production")
    monkeypatch.setenv("DAILYPAPERS_SECRET_KEY", "too-short-" + password)
    refused = run("digest", "status")
    assert refused.exit_code == 2 and "DAILYPAPERS_SECRET_KEY" in refused.output
    for text in (sent.output, refused.output, caplog.text):
        assert password not in text and key not in text
