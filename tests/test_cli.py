"""The CLI as cron would run it: exit codes, idempotence, clear errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert result.exit_code == 2  # no readable record: broken input, not a quiet day
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


def test_broken_input_exits_2_and_a_quiet_day_1(run, tmp_path):
    garbage = tmp_path / "garbage.json"
    garbage.write_text("this is not json")
    broken = run("ingest", "hf-daily", str(garbage))
    assert broken.exit_code == 2 and "no readable record in" in broken.output
    quiet = tmp_path / "2026-06-27.json"
    quiet.write_text("[]")  # a Saturday: Hugging Face lists nothing
    assert run("ingest", "hf-daily", str(quiet)).exit_code == 1


def test_the_wrong_kind_of_file_is_named_in_one_line(run, tmp_path):
    assert run("demo").exit_code == 0
    dump = tmp_path / "instance.jsonl.gz"
    assert run("export", str(dump)).exit_code == 0
    wrong = run("ingest", "hf-daily", str(dump))
    assert wrong.exit_code == 2
    assert (
        wrong.output.count("skipped /") == 1 and "load it with `dailypapers import`" in wrong.output
    )
    snapshot = str(fixture("arxiv-snapshot", "arxiv-metadata-oai-snapshot.head200.jsonl"))
    named = run("ingest", "hf-daily", snapshot)
    assert named.exit_code == 2 and "ingest arxiv-snapshot" in named.output


def test_a_cut_off_dump_keeps_what_was_read_and_says_where(run, tmp_path, monkeypatch):
    assert run("demo").exit_code == 0
    dump = tmp_path / "instance.jsonl.gz"
    assert run("export", str(dump)).exit_code == 0
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(dump.read_bytes()[: dump.stat().st_size // 3])
    monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(tmp_path / "other"))
    result = run("import", str(cut))
    assert result.exit_code == 2, result.output
    assert "the file ends early (cut off)" in result.output and "at line " in result.output
    assert "Aborted" not in result.output
    read = int(result.output.split(" rows read")[0].replace(",", "").split()[-1])
    assert read > 100  # the rows before the cut landed


def test_db_copy_refuses_a_missing_source_and_a_bad_url_in_one_line(run, tmp_path):
    nope = tmp_path / "nope.db"
    missing = run("db", "copy", "--from", f"sqlite:///{nope}", "--to", f"sqlite:///{tmp_path}/t.db")
    assert missing.exit_code == 2 and "no such SQLite file" in missing.output
    assert not nope.exists()  # not made empty on the way
    empty = tmp_path / "empty.db"
    empty.touch()
    blank = run("db", "copy", "--from", f"sqlite:///{empty}", "--to", f"sqlite:///{tmp_path}/t.db")
    assert blank.exit_code == 2 and "has no Daily Papers schema" in blank.output
    assert run("demo").exit_code == 0
    source = f"sqlite:///{tmp_path}/dailypapers.db"
    bad = run("db", "copy", "--from", source, "--to", "foo://bar")
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1
    assert "sqlite:// or postgresql://" in bad.output


def test_digest_send_names_an_impossible_date_and_the_weekend_rule(run):
    impossible = run("digest", "send", "--date", "2026-02-30")
    assert impossible.exit_code == 2 and "no such date: 2026-02-30" in impossible.output
    shape = run("digest", "send", "--date", "30/02/2026")
    assert shape.exit_code == 2 and "must look like YYYY-MM-DD" in shape.output
    saturday = run("digest", "send", "--frequency", "daily", "--date", "2026-11-28")
    assert saturday.exit_code == 1
    assert "weekdays only" in saturday.output and "2026-11-28 is a Saturday" in saturday.output
    assert "--date 2026-11-27" in saturday.output


def test_the_installed_command_exits_with_its_code_and_all_its_output(tmp_path):
    # main() leaves by os._exit: exit codes and every line written to a pipe must survive it
    command = Path(sys.executable).parent / "dailypapers"
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(tmp_path)}
    env.pop("DAILYPAPERS_DATABASE_URL", None)
    env.pop("PYTHONUNBUFFERED", None)  # stdout into a pipe is block-buffered, as under cron
    day = str(fixture("hf-daily", "raw", "2026-06-30.json"))

    def run_command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(command), *args], env=env, capture_output=True, text=True, timeout=120
        )

    first, again = run_command("ingest", "hf-daily", day), run_command("ingest", "hf-daily", day)
    assert first.returncode == 0 and "added 34 new papers" in first.stdout, first.stderr
    assert again.returncode == 1 and "added 0 new papers" in again.stdout
    listed = run_command("search", "--mode", "lexical", "--json", "--limit", "30", "model")
    hits = json.loads(listed.stdout)["hits"]
    assert listed.returncode == 0 and len(hits) > 20  # the whole JSON (it parses), flushed
    env["DAILYPAPERS_PASSWORD"] = "a long passphrase nobody guesses"
    assert run_command("add-user", "ada", "ada@example.org").returncode == 0
    exported = run_command("export-user", "ada")  # print(), block-buffered into a pipe
    assert exported.returncode == 0 and json.loads(exported.stdout)["username"] == "ada"
    missing = run_command("ingest", "arxiv-snapshot", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert run_command("no-such-command").returncode == 2


def test_a_thread_or_child_still_running_gets_pythons_own_exit():
    import threading

    from dailypapers.cli import _still_running

    before = _still_running()  # False in a lone run; other tests may leave a thread behind
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)  # not a daemon: a normal exit waits
    waiting.start()
    try:
        assert _still_running()
    finally:
        release.set()
        waiting.join()
    assert _still_running() == before


def test_progress_bars_tell_the_time_left_once_there_is_a_pace():
    from dailypapers.cli.common import TimeLeft, progress_bar

    clock = [0.0]
    bar = progress_bar()
    bar.get_time = lambda: clock[0]  # rich estimates the pace from timed samples
    counted, open_ended = bar.add_task("embedding", total=100), bar.add_task("rebuild", total=None)
    left = TimeLeft()
    assert left.render(bar.tasks[counted]).plain == ""  # no pace yet
    for _ in range(2):
        clock[0] += 10.0
        bar.advance(counted, 10)
        bar.advance(open_ended, 10)
    assert left.render(bar.tasks[counted]).plain == "0:01:20 left"  # 80 more at 1 a second
    assert left.render(bar.tasks[open_ended]).plain == ""  # no total, no estimate
    bar.update(counted, completed=100)
    assert left.render(bar.tasks[counted]).plain == ""


@pytest.mark.parametrize("group", [(), ("ingest",), ("digest",), ("eval",)])
def test_the_command_lists_give_each_summary_unbroken(group):
    """Typer's list of commands keeps a docstring's line breaks; each summary must read as one
    paragraph, as long as the terminal is wide enough."""
    runner = CliRunner()
    shown = runner.invoke(app, [*group, "--help"], terminal_width=400, env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    commands = typer_commands(group)
    assert commands
    for name, summary in commands.items():
        line = next(row for row in shown.output.splitlines() if f"│ {name} " in row)
        assert summary in line, (name, line)


def typer_commands(group: tuple[str, ...]) -> dict[str, str]:
    """Each command's name and the first paragraph of its docstring on one line."""
    import inspect

    import typer.main

    command = typer.main.get_command(app)
    for name in group:
        command = command.commands[name]  # type: ignore[attr-defined]
    found = {}
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        doc = inspect.getdoc(sub.callback) if sub.callback else None
        if doc:
            found[name] = " ".join(doc.split("\n\n")[0].split())
    return found
