"""Defects an outside review found, each with the test that failed before its fix: bounded
inputs, body size, links from imported data, hidden papers, private pages, file modes."""

from __future__ import annotations

import os
import stat

from dailypapers.community.services import sign_up
from dailypapers.config import Settings
from dailypapers.db.engine import make_engine
from dailypapers.db.models import Paper
from dailypapers.ingest.hf_daily import parse_response
from dailypapers.ingest.pipeline import ingest
from dailypapers.papers.records import PaperRecord
from tests.community.test_accounts import login, signup, token
from tests.factories import record, store_records


def test_bodies_over_the_limit_get_413_before_they_are_read(client):
    big = {"email": "a@example.org", "keywords": ["x" * 90] * 20, "padding": "y" * 200_000}
    answer = client.post("/api/subscriptions", json=big)
    assert answer.status_code == 413 and "too large" in answer.json()["error"]

    def chunks():  # no Content-Length: counted as it streams in
        for _ in range(100):
            yield b"z" * 1000

    streamed = client.post(
        "/api/subscriptions", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert client.post("/api/subscriptions", json={"email": "a@example.org"}).status_code == 202


def test_out_of_range_days_and_ids_are_client_errors_not_500s(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001"))
    for url in ("/api/daily_papers?week=9999-W52", "/papers?date=9999-12-31",
                "/api/arxiv?date=9999-12-31", "/api/papers/search?q=a&from=0001-01-01",
                "/papers?month=0000-01"):  # fmt: skip
        assert client.get(url).status_code == 400, url
    signup(client)
    csrf = token(client)
    for comment_id in (2**63, 2**31, 0):
        answer = client.post(f"/comments/{comment_id}/delete", data={"csrf_token": csrf})
        assert answer.status_code == 422, comment_id
    answer = client.post(
        "/papers/2606.00001/comments",
        data={"body": "hello", "parent_id": str(2**63), "csrf_token": csrf},
    )
    assert answer.status_code == 422


def test_only_http_links_from_imported_data_become_links(client, sessions):
    item = {"paper": {"id": "2606.00002", "title": "T", "githubRepo": "javascript:alert(1)",
                      "projectPage": "https://example.org/p"}}  # fmt: skip
    [parsed] = parse_response([item], "test", None)
    assert isinstance(parsed, PaperRecord)
    assert parsed.github_repo is None and parsed.project_page == "https://example.org/p"
    store_records(sessions, record(arxiv_id="2606.00003", title="Old row"))
    with sessions() as session:  # a row stored before the import rule
        paper = session.query(Paper).filter_by(arxiv_id="2606.00003").one()
        paper.github_repo, paper.project_page = "javascript:alert(1)", "data:text/html,x"
        session.commit()
    page = client.get("/papers/2606.00003").text
    assert "javascript:" not in page and "data:text" not in page
    assert "javascript:" not in client.get("/papers?date=2026-06-10").text


def test_a_record_with_a_broken_character_is_skipped_and_reported(sessions):
    items = [
        {"paper": {"id": "2606.00004", "title": "Fine"}},
        {"paper": {"id": "2606.00005", "title": "Broken \ud800 title"}},
    ]
    report = ingest(sessions, parse_response(items, "day.json", None))
    assert report.new == 1 and len(report.issues) == 1
    assert "broken character" in report.issues[0].message and "[1]" in report.issues[0].location


def test_hidden_papers_are_gone_except_for_moderators(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00006", title="Spam paper"))
    with sessions() as session:
        session.query(Paper).filter_by(arxiv_id="2606.00006").one().hidden = True
        sign_up(session, "mod", "mod@example.org", "correct horse battery").is_moderator = True
        session.commit()
    assert client.get("/papers/2606.00006").status_code == 404
    assert client.get("/api/papers/2606.00006").status_code == 404
    assert client.get("/api/papers/2606.00006/similar").status_code == 404
    assert login(client, "mod").status_code == 303
    assert "Spam paper" in client.get("/papers/2606.00006").text  # to unhide it


def test_pages_carrying_credentials_are_never_cached(client):
    signup(client)
    issued = client.post("/account/token", data={"csrf_token": token(client)})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    assert client.get("/subscription/not-a-token").headers["cache-control"] == "no-store"
    assert client.get("/users/ada/export.json").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("cache-control", "")
    assert "strict-transport-security" not in client.get("/").headers  # not production


def test_production_behind_https_sends_hsts(settings, search):
    from fastapi.testclient import TestClient

    from dailypapers.web.app import create_app

    production = settings.model_copy(
        update={"env": "production", "base_url": "https://papers.example"}
    )
    app = create_app(production, search=search)
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/healthz").headers["strict-transport-security"] == "max-age=31536000"
    app.state.engine.dispose()


def test_the_sqlite_file_and_its_folder_are_owner_only(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    engine = make_engine(settings)
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
        conn.commit()
    engine.dispose()
    assert stat.S_IMODE(os.stat(tmp_path / "data").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "dailypapers.db").st_mode) == 0o600


def production_app(settings, search):
    from dailypapers.web.app import create_app

    production = settings.model_copy(
        update={"env": "production", "base_url": "https://papers.example"}
    )
    return create_app(production, search=search)


def test_production_cookies_carry_the_host_prefix(settings, search, sessions):
    """`__Host-` cookies are accepted by browsers only from this host over HTTPS: a sibling
    subdomain or a plain-HTTP man in the middle cannot plant a CSRF token of its own."""
    from fastapi.testclient import TestClient

    with sessions() as session:
        sign_up(session, "ada", "ada@example.org", "correct horse battery")
        session.commit()
    app = production_app(settings, search)
    with TestClient(app, base_url="https://testserver") as client:
        set_csrf = client.get("/login").headers["set-cookie"]
        assert set_csrf.startswith("__Host-dp_csrf=") and "Secure" in set_csrf
        assert "Path=/" in set_csrf and "Domain" not in set_csrf
        csrf = client.cookies["__Host-dp_csrf"]
        # a token planted under the plain name is not the one checked
        client.cookies.set("dp_csrf", "planted")
        planted = {"login": "ada", "password": "correct horse battery", "csrf_token": "planted"}
        assert client.post("/login", data=planted).status_code == 403
        form = {**planted, "csrf_token": csrf}
        signed_in = client.post("/login", data=form, follow_redirects=False)
        assert signed_in.status_code == 303
        session_cookie = signed_in.headers["set-cookie"]
        assert session_cookie.startswith("__Host-dp_session=") and "Secure" in session_cookie
        assert "Sign out" in client.get("/").text
    app.state.engine.dispose()


def test_failed_passwords_lock_the_account_whatever_the_address(app, sessions):
    """Per-IP limits do not stop a guesser spread over many addresses; per account they do."""
    from fastapi.testclient import TestClient

    with sessions() as session:
        sign_up(session, "ada", "ada@example.org", "correct horse battery")
        sign_up(session, "bob", "bob@example.org", "another good secret")
        session.commit()

    def attempt(address, login_name, password):
        client = TestClient(app, client=(address, 50000))
        client.get("/login")
        data = {"login": login_name, "password": password, "csrf_token": client.cookies["dp_csrf"]}
        return client.post("/login", data=data, follow_redirects=False)

    for i in range(10):
        assert attempt(f"10.0.0.{i}", "ada", f"guess number {i}").status_code == 400
    locked = attempt("10.0.1.1", "ADA", "correct horse battery")  # the right one, in any case
    assert locked.status_code == 429 and "failed sign-ins for this account" in locked.text
    assert int(locked.headers["retry-after"]) > 0
    assert attempt("10.0.1.1", "bob", "another good secret").status_code == 303


def test_cli_add_user_makes_an_account_that_signs_in_at_once(client, settings, monkeypatch):
    from typer.testing import CliRunner

    from dailypapers.cli import app as cli

    if settings.is_sqlite:
        monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(settings.data_dir))
        monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    made = runner.invoke(cli, ["add-user", "ada", "ada@example.org"],
                         input="correct horse battery\ncorrect horse battery\n")  # fmt: skip
    assert made.exit_code == 0, made.output
    assert login(client).status_code == 303
    weak = runner.invoke(cli, ["add-user", "bob", "bob@example.org", "--password", "1234567890"])
    assert weak.exit_code == 2 and "most common" in weak.output
