"""Authors' pages, following, saved searches, the private Following feed, "For you", and the
follows reaching the digest; on both databases."""

from __future__ import annotations

import datetime as dt

import feedparser

from dailypapers.db.models import utcnow
from tests.community.test_accounts import signup, token
from tests.community.test_library import api_token, post
from tests.factories import record, store_records

TODAY = utcnow().date()


def recent(days_ago: int) -> dict:
    day = TODAY - dt.timedelta(days=days_ago)
    return {"feed_date": day, "published_at": dt.datetime.combine(day, dt.time())}


def test_an_authors_page_gathers_every_spelling_but_not_namesakes(client, sessions):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", authors=("Kaiming He", "Ross Girshick")),
        record(arxiv_id="2606.00002", authors=("K. He", "Piotr Dollár")),
        record(arxiv_id="2606.00003", authors=("Kai He", "Someone Else")),  # another person
        record(arxiv_id="2606.00004", authors=("Zoë Žižek",)),
    )
    page = client.get("/authors/Kaiming He")
    assert page.status_code == 200
    assert "/papers/2606.00001" in page.text and "/papers/2606.00002" in page.text
    assert "/papers/2606.00003" not in page.text
    assert "spelled Kaiming He, K. He" in page.text or "spelled K. He, Kaiming He" in page.text
    assert "/papers/2606.00003" in client.get("/authors/Kai He").text
    assert "/papers/2606.00004" in client.get("/authors/Zoe Zizek").text  # accents fold
    assert client.get("/authors/Nobody Here").status_code == 404
    assert 'href="/authors/Ross%20Girshick"' in client.get("/papers/2606.00001").text
    bib = client.get("/authors/Kaiming He?format=bibtex").text
    assert bib.count("@misc{") == 2


def test_namesakes_with_separate_coauthors_are_shown_apart(client, sessions):
    first = [record(arxiv_id=f"2606.0010{i}", authors=("Wei Zhang", "Ann Lee", f"Person Number{i}"))
             for i in range(3)]  # fmt: skip
    second = [record(arxiv_id=f"2606.0020{i}", authors=("Wei Zhang", "Bo Chen", f"Other Person{i}"))
              for i in range(3)]  # fmt: skip
    store_records(sessions, *first, *second)
    page = client.get("/authors/Wei Zhang").text
    assert "possibly different people" in page
    assert "With Ann Lee" in page and "With Bo Chen" in page


def test_following_authors_and_organizations_with_a_private_feed(client, sessions):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", authors=("Grace Hopper",), **recent(1)),
        record(arxiv_id="2606.00002", authors=("G. Hopper", "Alan Turing"), **recent(2)),
        record(
            arxiv_id="2606.00003", organization="Meta AI", organization_name="facebook", **recent(3)
        ),  # fmt: skip
        record(arxiv_id="2606.00004", authors=("Someone Else",), **recent(1)),
    )
    signup(client)
    assert "You follow no one yet" in client.get("/following").text
    answer = client.post(
        "/follow",
        data={"kind": "author", "name": "Grace Hopper", "csrf_token": token(client)},
        headers={"Accept": "application/json"},
    )
    assert answer.json() == {"following": True}
    assert "Following ✓" in client.get("/authors/Grace Hopper").text
    post(client, "/follow", kind="organization", name="facebook")
    assert "Following ✓" in client.get("/organizations/facebook").text
    assert post(client, "/follow", kind="organization", name="nobody").status_code == 400

    page = client.get("/following").text
    for arxiv_id in ("2606.00001", "2606.00002", "2606.00003"):
        assert f"/papers/{arxiv_id}" in page
    assert "/papers/2606.00004" not in page
    assert "by Grace Hopper, whom you follow" in page
    assert "from Meta AI, which you follow" in page

    link = page.split('href="/following.atom?token=')[1].split('"')[0]
    anonymous = client.__class__(client.app)
    feed = anonymous.get(f"/following.atom?token={link}")
    parsed = feedparser.parse(feed.text)
    assert feed.status_code == 200 and not parsed.bozo and len(parsed.entries) == 3
    assert anonymous.get("/following.atom?token=1-none.0.forged").status_code == 404
    api_token(client)  # a new API token retires the old feed link
    assert anonymous.get(f"/following.atom?token={link}").status_code == 404

    post(client, "/follow", kind="author", name="Grace Hopper", action="unfollow")
    assert "/papers/2606.00001" not in client.get("/following").text
    data = client.get("/users/ada/export.json").json()
    assert data["follows"] == [
        {"kind": "organization", "name": "facebook", "since": data["follows"][0]["since"]}
    ]


def test_saved_searches_and_the_api(client, sessions, search):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Protein folding", upvotes=1, **recent(1)),
        record(arxiv_id="2606.00002", title="Protein design", upvotes=50, **recent(1)),
    )
    search.indexer.sync_lexical()
    signup(client)
    # the feed a saved search links to keeps the search's filters
    feed = client.get("/feeds/search.atom?q=protein&mode=lexical&min_upvotes=10").text
    assert feedparser.parse(feed).entries[0].link.endswith("/papers/2606.00002")
    assert len(feedparser.parse(feed).entries) == 1
    assert 'action="/searches"' in client.get("/search?q=protein&mode=lexical").text
    post(client, "/searches", query="q=protein+folding&mode=lexical&from=")
    page = client.get("/following").text
    assert 'href="/search?q=protein+folding&amp;mode=lexical"' in page
    assert 'href="/feeds/search.atom?q=protein+folding&amp;mode=lexical"' in page
    assert post(client, "/searches", query="mode=lexical").status_code == 400  # no words

    headers = api_token(client)
    api = client.__class__(client.app)
    listed = api.get("/api/saved-searches", headers=headers).json()
    assert [s["label"] for s in listed] == ["protein folding"]
    made = api.post("/api/saved-searches", headers=headers, json={"q": "diffusion"})
    assert made.status_code == 201 and made.json()["feed"] == "/feeds/search.atom?q=diffusion"
    assert (
        api.delete(f"/api/saved-searches/{made.json()['id']}", headers=headers).status_code == 204
    )
    assert api.put("/api/follows/author/Grace Hopper", headers=headers).json()["key"] == "g hopper"
    assert [f["name"] for f in api.get("/api/follows", headers=headers).json()] == ["Grace Hopper"]
    assert api.put("/api/follows/organization/nobody", headers=headers).status_code == 400
    assert api.delete("/api/follows/author/Grace Hopper", headers=headers).status_code == 204
    assert api.get("/api/follows", headers=headers).json() == []


def test_for_you_learns_from_upvotes_and_explains_each_pick(client, sessions):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Protein structure prediction with diffusion",
               abstract="Protein folding structures predicted by a diffusion model.", upvotes=1,
               **recent(20)),
        record(arxiv_id="2606.00002", title="Diffusion models for protein design",
               abstract="We design protein structures and folding paths with diffusion.",
               upvotes=2, **recent(2)),
        record(arxiv_id="2606.00003", title="Tax law of medieval Flanders",
               abstract="An economic history of taxation in towns.", upvotes=50, **recent(2)),
        record(arxiv_id="2606.00004", title="Town taxation records",
               abstract="Medieval taxation and town economic history.", upvotes=3,
               **recent(40)),
    )  # fmt: skip
    signup(client)
    first = client.get("/for-you").text
    # with nothing to go on, the community's upvotes lead
    assert first.index("/papers/2606.00003") < first.index("/papers/2606.00002")
    assert "popular in the community" in first
    post(client, "/papers/2606.00001/vote")  # an older protein paper
    after = client.get("/for-you").text
    assert after.index("/papers/2606.00002") < after.index("/papers/2606.00003")
    assert "like “Protein structure prediction with diffusion”, which you upvoted" in after
    assert "/papers/2606.00001" not in after.split("<main")[1]  # already known
    headers = api_token(client)
    picks = client.__class__(client.app).get("/api/for-you", headers=headers).json()
    assert [p["paper"]["id"] for p in picks] == ["2606.00002", "2606.00003"]
    assert picks[0]["reason"].startswith("like ")
    # the other reader's upvotes pull them the other way
    post(client, "/papers/2606.00001/vote", action="down")
    post(client, "/papers/2606.00004/save")
    flipped = client.get("/for-you").text
    assert flipped.index("/papers/2606.00003") < flipped.index("/papers/2606.00002")
    assert "which you saved" in flipped
