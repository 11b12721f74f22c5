"""A subscription belongs to an account only through a mailed link (issue 13, item 1): an account
whose address is not verified never sees, nor takes, the subscription of that address."""

from dailypapers.community.passwords import hash_password
from dailypapers.community.store import CommunityStore
from tests.community.test_accounts import GOOD, login, mails_to, token
from tests.digest.helpers import links, path
from tests.digest.test_subscribe import confirm, subscribe, subscriber


def unverified(sessions, username, email):
    """An account as they were before addresses were verified."""
    with sessions() as session:
        CommunityStore(session).add_user(username, email, hash_password(GOOD))
        session.commit()


def test_an_unverified_account_never_sees_nor_takes_the_subscription(client, smtp, sessions):
    subscribe(client, email="victim@example.org", keywords="private interest")
    confirm(client, smtp, email="victim@example.org")
    client.cookies.clear()
    unverified(sessions, "mallory", "victim@example.org")
    assert login(client, login="mallory").status_code == 303
    assert client.get("/users/mallory/export.json").json()["digest"] is None
    # confirming a new request while signed in does not attach it either
    subscribe(client, email="victim@example.org")
    assert subscriber(sessions, "victim@example.org").user_id is None
    assert client.get("/users/mallory/export.json").json()["digest"] is None


def test_the_owner_verifies_by_the_mailed_link_and_then_sees_their_subscription(
    client, smtp, sessions
):
    subscribe(client, email="ada@example.org", keywords="graph neural networks")
    confirm(client, smtp, email="ada@example.org")
    client.cookies.clear()
    unverified(sessions, "ada", "ada@example.org")
    login(client)
    page = client.get("/users/ada")
    assert "is not confirmed yet" in page.text
    sent = client.post("/account/verify", data={"csrf_token": token(client)})
    assert sent.status_code == 200 and "We sent a link to ada@example.org" in sent.text
    url = links(mails_to(client, "ada@example.org", smtp)[-1], "/account/verify/")[0]
    assert "Confirm my address" in client.get(path(url)).text
    done = client.post(path(url), data={"csrf_token": token(client)}, follow_redirects=False)
    assert done.status_code == 303
    assert "is not confirmed yet" not in client.get("/users/ada").text
    exported = client.get("/users/ada/export.json").json()["digest"]
    assert exported["keywords"] == ["graph neural networks"]
    assert subscriber(sessions, "ada@example.org").user_id is not None


def test_a_verification_link_opens_only_for_its_own_account(client, smtp, sessions):
    unverified(sessions, "ada", "ada@example.org")
    unverified(sessions, "eve", "eve@example.org")
    login(client)
    client.post("/account/verify", data={"csrf_token": token(client)})
    url = links(mails_to(client, "ada@example.org", smtp)[-1], "/account/verify/")[0]
    client.post("/logout", data={"csrf_token": token(client)})
    login(client, login="eve")
    refused = client.post(path(url), data={"csrf_token": token(client)})
    assert refused.status_code == 400 and "another account" in refused.text
    with sessions() as session:
        assert CommunityStore(session).user_by_name("eve").email_verified_at is None
