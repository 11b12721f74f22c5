"""Subscribing as a reader does it: the form, the mail, the confirm button, the manage page, the
one-click unsubscribe a mail client sends. Mail goes through a real SMTP server on loopback."""

from sqlalchemy import select

from dailypapers.db.models import Subscriber, SubscriptionEvent
from dailypapers.digest.services import Origin, unsubscribe
from tests.community.test_accounts import signup
from tests.digest.helpers import links, parts, path


def csrf_of(client):
    client.get("/subscribe")
    return client.cookies.get("dp_csrf")


def subscribe(client, email="ada@example.org", **fields):
    data = {"email": email, "frequency": "daily", "csrf_token": csrf_of(client), **fields}
    return client.post("/subscribe", data=data)


def subscriber(sessions, email="ada@example.org"):
    with sessions() as session:
        return session.scalar(select(Subscriber).where(Subscriber.email == email))


def events(sessions, sub):
    with sessions() as session:
        rows = session.scalars(
            select(SubscriptionEvent).where(SubscriptionEvent.subscriber_id == sub.id)
        )
        return [(e.event, e.source, e.client_ip) for e in rows]


def confirm(client, smtp, email="ada@example.org"):
    url = links(smtp.sink.to(email)[-1], "/subscribe/confirm/")[0]
    page = client.get(path(url))
    assert page.status_code == 200 and "Confirm" in page.text
    return client.post(path(url), data={"csrf_token": client.cookies.get("dp_csrf")})


def test_double_opt_in_sends_only_the_confirmation_until_clicked(client, smtp, sessions):
    response = subscribe(client, keywords="diffusion\nretrieval", categories="cs.CL cs.LG")
    assert response.status_code == 200 and "Check your inbox" in response.text
    [mail] = smtp.sink.messages
    assert mail["To"] == "ada@example.org" and "Confirm" in mail["Subject"]
    text, html = parts(mail)
    [url] = links(mail, "/subscribe/confirm/")
    assert url in html
    sub = subscriber(sessions)
    assert sub.status == "pending" and sub.keywords == ""  # the request waits for the owner
    # opening the link (as a mail scanner would) confirms nothing
    assert client.get(path(url)).status_code == 200
    assert subscriber(sessions).status == "pending"
    done = client.post(path(url), data={"csrf_token": client.cookies.get("dp_csrf")},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and "/subscription/" in done.headers["location"]
    sub = subscriber(sessions)
    assert sub.status == "active" and sub.confirmed_at is not None
    assert sub.keywords == "diffusion\nretrieval" and sub.categories == "cs.CL cs.LG"
    # the proof of consent: when, which address, from where
    assert events(sessions, sub) == [
        ("requested", "web form /subscribe", "testclient"),
        ("confirmed", "confirm link", "testclient"),
    ]
    assert len(smtp.sink.messages) == 1


def test_the_answer_never_tells_whether_an_address_is_subscribed(client, smtp, sessions):
    fresh = subscribe(client, email="new@example.org")
    subscribe(client)
    confirm(client, smtp)
    again = subscribe(client, frequency="weekly", keywords="something else")
    strip = lambda page: page.text.replace("new@example.org", "").replace("ada@example.org", "")  # noqa: E731
    assert again.status_code == fresh.status_code == 200
    assert strip(again) == strip(fresh)
    # the address itself hears about it; the subscription is not changed by a stranger
    assert "already subscribed" in smtp.sink.to("ada@example.org")[-1]["Subject"]
    sub = subscriber(sessions)
    assert (sub.status, sub.frequency, sub.keywords) == ("active", "daily", "")


def test_api_twin_answers_202_the_same_for_everyone(client, smtp):
    body = {"email": "x@example.org", "frequency": "weekly", "keywords": ["graph networks"]}
    first = client.post("/api/subscriptions", json=body)
    second = client.post("/api/subscriptions", json={"email": "x@example.org"})
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert client.post("/api/subscriptions", json={"email": "not-an-address"}).status_code == 400
    bad = client.post("/api/subscriptions", json={"email": "a@b.org", "frequency": "hourly"})
    assert bad.status_code == 422
    assert len(smtp.sink.to("x@example.org")) == 2  # two confirmations, nothing else


def test_bad_input_is_explained_on_the_form(client, smtp):
    page = subscribe(client, email="ada@example.org", categories="not a category!")
    assert page.status_code == 400 and "not an arXiv category" in page.text
    assert 'value="ada@example.org"' in page.text  # what was typed is kept
    assert smtp.sink.messages == []


def test_an_inbox_cannot_be_flooded_with_confirmations(client, smtp):
    answers = {subscribe(client, email="victim@example.org").text for _ in range(5)}
    assert len(answers) == 1  # same answer every time
    assert len(smtp.sink.to("victim@example.org")) == 3  # the daily cap per address


def test_manage_page_changes_frequency_and_interests(client, smtp, sessions):
    subscribe(client)
    manage_url = str(confirm(client, smtp).url)
    page = client.get(manage_url)
    assert "Confirmed" in page.text and "ada@example.org" in page.text
    token = manage_url.split("/subscription/")[1].split("?")[0]
    form = {
        "csrf_token": client.cookies.get("dp_csrf"),
        "frequency": "weekly",
        "keywords": "sparse attention",
        "authors": "Grace Hopper",
        "categories": "cs.LG",
    }
    saved = client.post(f"/subscription/{token}", data=form)
    assert saved.status_code == 200 and "Saved" in saved.text
    api = client.get(f"/api/subscriptions/{token}").json()
    assert api == {"email": "ada@example.org", "status": "active", "frequency": "weekly",
                   "categories": ["cs.LG"], "keywords": ["sparse attention"],
                   "authors": ["Grace Hopper"], "like_upvoted": False}  # fmt: skip
    forged = client.post(f"/subscription/{token}", data={"frequency": "daily"})
    assert forged.status_code == 403  # no CSRF token
    assert client.get(f"/subscription/{token[:-2]}xx").status_code == 404


def test_one_click_unsubscribe_from_a_mail_client(client, smtp, sessions, app):
    from fastapi.testclient import TestClient

    from dailypapers.digest.services import links_for

    subscribe(client)
    confirm(client, smtp)
    sub = subscriber(sessions)
    url = links_for(app.state.settings, app.state.settings.signing_key(), sub.token).unsubscribe_url
    # a GET, as a link scanner would do, only asks
    page = client.get(path(url))
    assert page.status_code == 200 and "Unsubscribe?" in page.text
    assert subscriber(sessions).status == "active"
    # RFC 8058: a bare POST from the mail provider, no cookies, no CSRF token
    with TestClient(app) as mail_client:
        done = mail_client.post(path(url), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "no more digests" in done.text
    sub = subscriber(sessions)
    assert sub.status == "unsubscribed"
    assert events(sessions, sub)[-1][:2] == ("unsubscribed", "one-click (List-Unsubscribe-Post)")
    # a manage token does not unsubscribe, and a wrong token is a clear 404
    assert client.post("/unsubscribe/abc.0.def").status_code == 404


def test_signed_in_reader_can_follow_their_upvotes_and_sees_it_in_their_export(
    client, smtp, sessions
):
    assert signup(client, smtp=smtp).status_code == 303
    page = client.get("/subscribe")
    assert 'value="ada@example.org"' in page.text and "like the ones I upvoted" in page.text
    subscribe(client, like_upvoted="true")
    confirm(client, smtp)
    sub = subscriber(sessions)
    assert sub.like_upvoted and sub.user_id is not None
    exported = client.get("/users/ada/export.json").json()["digest"]
    assert exported["status"] == "active" and exported["like_upvoted"] is True
    assert [e["event"] for e in exported["consent"]] == ["requested", "confirmed"]


def test_like_upvoted_needs_an_account(client, smtp, sessions):
    subscribe(client, like_upvoted="true")
    assert subscriber(sessions).like_upvoted is False


def test_address_spellings_smtp_folds_together_are_refused_and_capped_as_one(
    client, smtp, sessions
):
    for spelling in (
        "0<victim@example.org>",
        "victim@example.org(comment)",
        "Victim <victim@example.org>",
    ):
        answer = client.post("/api/subscriptions", json={"email": spelling})
        assert answer.status_code == 400 and "email address" in answer.json()["error"]
    for spelling in (
        "victim@example.org",
        "Victim@Example.ORG",
        " VICTIM@example.org ",
        "victim@EXAMPLE.org",
    ):
        assert client.post("/api/subscriptions", json={"email": spelling}).status_code == 202
    assert len(smtp.sink.messages) == 3  # one inbox, one daily cap, whatever the spelling
    assert {m["To"] for m in smtp.sink.messages} == {"victim@example.org"}
    assert subscriber(sessions, "victim@example.org") is not None


def test_international_addresses_are_refused_at_the_door_or_sent_in_ascii(client, smtp, sessions):
    refused = client.post("/api/subscriptions", json={"email": "jürgen@example.org"})
    assert refused.status_code == 400  # we send without SMTPUTF8: say so now, not fail later
    assert client.post("/api/subscriptions", json={"email": "ada@bücher.de"}).status_code == 202
    [mail] = smtp.sink.messages
    assert mail["To"] == "ada@xn--bcher-kva.de"
    assert subscriber(sessions, "ada@xn--bcher-kva.de") is not None


def test_a_stranger_cannot_rewrite_a_subscription_that_is_not_active(client, smtp, sessions):
    subscribe(client, keywords="diffusion")
    done = confirm(client, smtp)
    manage = done.url.path  # the confirmation lands on the reader's manage page
    with sessions() as session:
        unsubscribe(session, session.merge(subscriber(sessions)), Origin("test"))
        session.commit()
    # a stranger, signed in with an account of their own, asks for the same address
    stranger = type(client)(client.app)
    account = {"username": "eve", "email": "eve@example.org", "password": "a long enough secret"}
    stranger.post("/signup", data={**account, "csrf_token": csrf_of(stranger)})
    wish = {"email": "ada@example.org", "keywords": ["spam"], "like_upvoted": True}
    assert stranger.post("/api/subscriptions", json=wish).status_code == 202
    after = subscriber(sessions)
    assert (after.status, after.keywords, after.user_id) == ("unsubscribed", "diffusion", None)
    # the reader's own resubscribe still works, and the page says what happened
    back = client.post(f"{manage}/resubscribe", data={"csrf_token": client.cookies["dp_csrf"]})
    assert "your digest is on again" in back.text and subscriber(sessions).status == "active"
    # the stranger's request, confirmed from the owner's inbox, never brings the stranger's account
    url = links(smtp.sink.to("ada@example.org")[-1], "/subscribe/confirm/")[0]
    client.post(path(url), data={"csrf_token": client.cookies["dp_csrf"]})
    final = subscriber(sessions)
    assert final.keywords == "spam" and final.user_id is None and final.like_upvoted is False
