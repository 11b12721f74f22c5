"""Accounts, sessions and CSRF through the in-process client."""

import re

import pytest

from tests.factories import record, store_records

GOOD = "correct horse battery"


def token(client):
    if "dp_csrf" not in client.cookies:
        client.get("/signup")
    return client.cookies["dp_csrf"]


def signup(client, username="ada", email="ada@example.org", password=GOOD):
    return client.post(
        "/signup",
        data={
            "username": username,
            "email": email,
            "password": password,
            "csrf_token": token(client),
        },
        follow_redirects=False,
    )


def login(client, login="ada", password=GOOD, **extra):
    data = {"login": login, "password": password, "csrf_token": token(client), **extra}
    return client.post("/login", data=data, follow_redirects=False)


def test_signup_sets_a_safe_session_cookie_and_shows_the_user(client):
    response = signup(client)
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("dp_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = client.get("/").text
    assert 'href="/users/ada"' in page and "Sign out" in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short"}, "at least 10 characters"),
        ({"password": "ada-is-my-password"}, "username in your password"),
        ({"password": "aaaaaaaaaaaa"}, "different characters"),
        ({"username": "a b"}, "Usernames are"),
        ({"email": "not-an-email"}, "email address"),
    ],
)
def test_signup_rules_are_stated(client, fields, message):
    response = signup(client, **fields)
    assert response.status_code == 400 and message in response.text


def test_taken_username_and_email_get_the_same_answer(client):
    signup(client)
    client.cookies.clear()
    by_name = signup(client, email="other@example.org")
    client.cookies.clear()
    by_email = signup(client, username="other")
    assert by_name.status_code == by_email.status_code == 400
    message = "cannot be used; try another"
    assert message in by_name.text and message in by_email.text


def test_login_errors_do_not_reveal_accounts(client):
    signup(client)
    client.cookies.clear()
    wrong_password = login(client, password="wrong password here")
    unknown_user = login(client, login="nobody")
    assert wrong_password.status_code == unknown_user.status_code == 400
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.text)  # noqa: E731 - tokens differ
    assert strip(wrong_password) == strip(unknown_user)


def test_login_replaces_any_earlier_session_and_logout_ends_it(client):
    signup(client)
    first = client.cookies["dp_session"]
    assert login(client, login="ada@example.org").status_code == 303  # by email too
    second = client.cookies["dp_session"]
    assert second != first

    def signed_in_with(session_token):
        browser = client.__class__(client.app)
        browser.cookies.set("dp_session", session_token)
        return "Sign out" in browser.get("/").text

    assert not signed_in_with(first)  # the session from before sign-in is gone
    assert signed_in_with(second)
    assert client.post("/logout", data={"csrf_token": token(client)}).status_code == 200
    assert not signed_in_with(second)  # ended on the server, not only in the browser


def test_open_redirects_are_refused(client):
    signup(client)
    response = login(client, next="//evil.example/")
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/signup", {"username": "x1x", "email": "x@example.org", "password": GOOD}),
        ("/login", {"login": "ada", "password": GOOD}),
        ("/logout", {}),
        ("/account/token", {}),
        ("/papers/2606.00001/vote", {"action": "up"}),
    ],
)
@pytest.mark.parametrize("csrf", [None, "forged-token"])
def test_every_state_change_needs_the_csrf_token(client, sessions, url, data, csrf):
    store_records(sessions, record(arxiv_id="2606.00001"))
    signup(client)
    if csrf:
        data = {**data, "csrf_token": csrf}
    response = client.post(url, data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "did not come from this site" in response.text


def test_cli_moderator_and_export_user(client, settings, monkeypatch):
    from typer.testing import CliRunner

    from dailypapers.cli import app

    if not settings.is_sqlite:
        monkeypatch.setenv("DAILYPAPERS_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.setenv("DAILYPAPERS_DATA_DIR", str(settings.data_dir))
        monkeypatch.delenv("DAILYPAPERS_DATABASE_URL", raising=False)
    signup(client)
    runner = CliRunner()
    assert runner.invoke(app, ["moderator", "ada"]).exit_code == 0
    exported = runner.invoke(app, ["export-user", "ada"])
    assert exported.exit_code == 0 and '"is_moderator": true' in exported.output
    assert runner.invoke(app, ["export-user", "nobody"]).exit_code == 2
