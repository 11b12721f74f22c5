"""Votes: one per user and paper, exact under concurrency, instant in the page, and by API."""

import threading

from dailypapers.community import services
from dailypapers.community.store import CommunityStore
from dailypapers.papers.store import PaperStore
from tests.community.test_accounts import signup, token
from tests.factories import record, store_records


def vote(client, arxiv_id, action="up"):
    return client.post(
        f"/papers/{arxiv_id}/vote",
        data={"action": action, "csrf_token": token(client)},
        headers={"Accept": "application/json"},
    )


def test_vote_toggle_and_counts(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", upvotes=5))
    assert vote(client, "2606.00001").status_code == 401  # signed out
    signup(client)
    assert vote(client, "2606.00001").json() == {"voted": True, "votes": 6}
    assert vote(client, "2606.00001").json() == {"voted": True, "votes": 6}  # once per user
    page = client.get("/papers/2606.00001").text
    assert 'aria-pressed="true"' in page and '<span class="count">6</span>' in page
    assert vote(client, "2606.00001", "down").json() == {"voted": False, "votes": 5}
    assert client.get("/api/papers/2606.00001").json()["upvotes"] == 5


def test_plain_form_vote_redirects_back(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001"))
    signup(client)
    response = client.post(
        "/papers/2606.00001/vote",
        data={"action": "up", "csrf_token": token(client)},
        headers={"Referer": "http://testserver/papers?date=2026-06-10"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/papers?date=2026-06-10"


def test_community_votes_reorder_the_feed(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", upvotes=3),
                  record(arxiv_id="2606.00002", upvotes=3))  # fmt: skip
    signup(client)
    vote(client, "2606.00002")
    items = client.get("/api/daily_papers", params={"sort": "upvotes"}).json()
    assert [i["paper"]["id"] for i in items] == ["2606.00002", "2606.00001"]


def test_100_concurrent_voters_give_the_exact_count(sessions):
    store_records(sessions, record(arxiv_id="2606.00001", upvotes=0))
    with sessions() as session:
        store = CommunityStore(session)
        users = [store.add_user(f"user{i}", f"u{i}@example.org", "x") for i in range(100)]
        session.commit()
        paper_id = PaperStore(session).get("2606.00001").id
        user_ids = [u.id for u in users]
    errors = []
    barrier = threading.Barrier(25)

    def voter(ids):
        try:
            barrier.wait()
            for user_id in ids:
                for _ in range(2):  # a double click must not count twice
                    with sessions() as session:
                        user = session.get(services.User, user_id)
                        services.vote(session, user, paper_id)
                        session.commit()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=voter, args=(user_ids[i::25],)) for i in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        store = CommunityStore(session)
        assert store.votes_of(paper_id) == (100, 100)
        assert store.count_votes_rows(paper_id) == 100


def test_api_token_votes_and_export(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", upvotes=1, title="Tokens paper"))
    signup(client)
    page = client.post("/account/token", data={"csrf_token": token(client)}).text
    api_token = page.split('<code class="token">')[1].split("</code>")[0]
    anonymous = client.__class__(client.app)
    bad = anonymous.post("/api/papers/2606.00001/vote", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    headers = {"Authorization": f"Bearer {api_token}"}
    assert anonymous.post("/api/papers/2606.00001/vote", headers=headers).json()["votes"] == 2
    assert anonymous.delete("/api/papers/2606.00001/vote", headers=headers).json()["votes"] == 1
    anonymous.post("/api/papers/2606.00001/vote", headers=headers)
    data = client.get("/users/ada/export.json").json()
    assert data["username"] == "ada" and data["email"] == "ada@example.org"
    assert [p["arxiv_id"] for p in data["upvoted"]] == ["2606.00001"]
    assert "password" not in str(data)
    assert anonymous.get("/users/ada/export.json").status_code == 401
    assert "Tokens paper" in client.get("/users/ada").text


def test_trending_page_and_feed(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", title="Rising paper", upvotes=9))
    page = client.get("/papers/trending")
    assert page.status_code == 200 and "Rising paper" in page.text
    feed = client.get("/feeds/trending.atom")
    assert feed.status_code == 200 and b"Rising paper" in feed.content
