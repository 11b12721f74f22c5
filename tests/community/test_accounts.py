"""Accounts, sessions and CSRF through the in-process client. A sign-up finishes by the mailed
link, read from the mail itself (the file mailer's folder, or the SMTP server of a test)."""

import re
from email import policy
from email.parser import BytesParser

import pytest

from dailypapers.community.store import CommunityStore
from tests.digest.helpers import links, parts, path
from tests.factories import record, store_records

GOOD = "correct horse battery"


def token(client):
    if "dp_csrf" not in client.cookies:
        client.get("/signup")
    return client.cookies["dp_csrf"]


def request_signup(client, username="ada", email="ada@example.org", password=GOOD):
    """The sign-up form as sent: its answer is the "check your inbox" page or the form again."""
    data = {"username": username, "email": email, "password": password}
    return client.post("/signup", data={**data, "csrf_token": token(client)})


def mails_to(client, email, smtp=None):
    """What `email` received, oldest first."""
    if smtp is not None:
        return smtp.sink.to(email)
    return mails_in(client.app.state.settings.data_dir / "mail", email)


def mails_in(folder, email):
    """What the file mailer wrote to `email` in `folder`, oldest first."""
    parsed = [
        BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        for f in sorted(folder.glob("*.eml"), key=lambda f: f.stat().st_mtime_ns)
    ]
    return [m for m in parsed if m["To"] == email]


def signup(client, username="ada", email="ada@example.org", password=GOOD, smtp=None):
    """Sign up as a reader does: the form, the mailed link, its button. Returns the button's
    answer (303 and a session cookie when the account was made)."""
    sent = request_signup(client, username, email, password)
    if sent.status_code != 200:
        return sent
    url = links(mails_to(client, email, smtp)[-1], "/signup/confirm/")[0]
    assert client.get(path(url)).status_code == 200
    return client.post(path(url), data={"csrf_token": token(client)}, follow_redirects=False)


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


def test_an_account_is_made_only_by_its_mailed_link(client, sessions):
    sent = request_signup(client)
    assert sent.status_code == 200 and "We sent a link to ada@example.org" in sent.text
    assert "dp_session" not in client.cookies
    with sessions() as session:
        assert CommunityStore(session).user_by_name("ada") is None  # nothing until the link
    [mail] = mails_to(client, "ada@example.org")
    url = links(mail, "/signup/confirm/")[0]
    assert "Finish signing up" in mail["Subject"] and "ada" in parts(mail)[0]
    page = client.get(path(url))  # opening the link (a mail scanner does) changes nothing
    assert page.status_code == 200 and "Create my account" in page.text
    with sessions() as session:
        assert CommunityStore(session).user_by_name("ada") is None
    done = client.post(path(url), data={"csrf_token": token(client)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/users/ada"
    with sessions() as session:
        user = CommunityStore(session).user_by_name("ada")
        assert user.email_verified_at is not None
    again = client.post(path(url), data={"csrf_token": token(client)})
    assert again.status_code == 400 and "used already" in again.text
    forged = client.post(path(url)[:-3] + "abc", data={"csrf_token": token(client)})
    assert forged.status_code == 400 and "not valid" in forged.text


def test_signup_answers_the_same_for_a_registered_address_and_tells_its_owner(client, sessions):
    signup(client)
    client.cookies.clear()
    fresh = request_signup(client, username="newcomer", email="new@example.org")
    client.cookies.clear()
    registered = request_signup(client, username="mallory", email="ada@example.org")
    strip = lambda r: re.sub(r'(value|content)="[^"]*"|(new|ada)@example.org', "", r.text)  # noqa: E731
    assert fresh.status_code == registered.status_code == 200
    assert strip(fresh) == strip(registered)
    owner_mail = mails_to(client, "ada@example.org")[-1]
    text = parts(owner_mail)[0]
    assert "already belongs to your account ada" in text and not links(owner_mail, "/confirm/")
    with sessions() as session:
        assert CommunityStore(session).user_by_name("mallory") is None


def test_usernames_are_public_so_a_taken_one_is_said_in_any_case(client):
    signup(client)
    client.cookies.clear()
    for name in ("ada", "ADA", "Ada"):
        taken = request_signup(client, username=name, email="other@example.org")
        assert taken.status_code == 400 and "That username is taken" in taken.text
    assert login(client, login="ADA").status_code == 303  # one account, any case


def test_a_name_taken_between_the_mail_and_the_link_is_explained(client):
    request_signup(client, username="ada", email="first@example.org")
    first = links(mails_to(client, "first@example.org")[-1], "/signup/confirm/")[0]
    signup(client, username="Ada", email="second@example.org")
    client.cookies.clear()
    late = client.post(path(first), data={"csrf_token": token(client)})
    assert late.status_code == 409 and "was taken meanwhile" in late.text


def test_common_passwords_are_refused_whatever_their_length(client):
    response = request_signup(client, password="1234567890")
    assert response.status_code == 400 and "among the most common" in response.text


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
