"""The reader's library: reading list, collections and notes, through pages, forms (with and
without JavaScript's JSON answers) and the bearer-token API, on both databases."""

from __future__ import annotations

import json

import bibtexparser
import feedparser
import pytest

from dailypapers.common import ratelimit
from tests.community.test_accounts import signup, token
from tests.factories import record, store_records

IDS = ("2606.00001", "2606.00002", "2606.00003")


@pytest.fixture
def papers(sessions):
    store_records(
        sessions,
        *[record(arxiv_id=i, title=f"Library paper {n}", upvotes=n) for n, i in enumerate(IDS)],
    )
    return IDS


def post(client, path, **data):
    return client.post(path, data={"csrf_token": token(client), **data}, follow_redirects=False)


def api_token(client):
    page = client.post("/account/token", data={"csrf_token": token(client)}).text
    return {"Authorization": "Bearer " + page.split('<code class="token">')[1].split("</code>")[0]}


def test_saving_reading_and_the_reading_list(client, papers):
    anonymous = client.__class__(client.app)
    assert post(anonymous, f"/papers/{IDS[0]}/save").headers["location"].startswith("/login")
    signup(client)
    day = client.get("/papers?date=2026-06-10").text
    assert day.count('data-toggle="saved"') == len(IDS) and "Saved ✓</button>" not in day

    assert post(client, f"/papers/{IDS[0]}/save").status_code == 303  # no JavaScript
    answer = client.post(
        f"/papers/{IDS[1]}/save",
        data={"csrf_token": token(client)},
        headers={"Accept": "application/json"},
    )
    assert answer.json() == {"saved": True}  # what app.js reads
    assert post(client, f"/papers/{IDS[1]}/save").status_code == 303  # twice: still one row
    day = client.get("/papers?date=2026-06-10").text
    assert day.count("Saved ✓</button>") == 2

    listed = client.get("/reading-list").text
    assert all(f"/papers/{i}" in listed for i in IDS[:2]) and f"/papers/{IDS[2]}" not in listed
    post(client, f"/papers/{IDS[0]}/read")
    unread = client.get("/reading-list?state=unread").text
    read = client.get("/reading-list?state=read").text
    assert f"/papers/{IDS[0]}" in read and f"/papers/{IDS[0]}" not in unread
    assert f"/papers/{IDS[1]}" in unread
    assert "Read ✓" in client.get(f"/papers/{IDS[0]}").text
    bib = client.get("/reading-list?format=bibtex")
    assert {e["eprint"] for e in bibtexparser.parse_string(bib.text).entries} == set(IDS[:2])

    post(client, f"/papers/{IDS[0]}/save", action="unsave")
    assert f"/papers/{IDS[0]}" not in client.get("/reading-list").text
    closed = anonymous.get("/reading-list")
    assert closed.status_code == 401 and 'href="/login?next=/reading-list"' in closed.text
    assert client.post(f"/papers/{IDS[0]}/save", data={}).status_code == 403  # no CSRF token


def test_collections_private_then_public_with_feed_json_and_citations(client, papers):
    signup(client)
    assert (
        post(client, "/collections", name="Reading group", description="*week 1*").status_code
        == 303
    )
    mine = client.get("/collections").text
    collection_id = int(mine.split('href="/collections/')[1].split('"')[0])
    post(client, f"/papers/{IDS[0]}/collect", collection=str(collection_id))
    post(client, f"/papers/{IDS[1]}/collect", collection=str(collection_id))
    post(client, f"/papers/{IDS[2]}/collect", new_name="Later")  # a new one from the paper page
    page = client.get(f"/collections/{collection_id}").text
    assert (
        "<em>week 1</em>" in page
        and f"/papers/{IDS[0]}" in page
        and f"/papers/{IDS[2]}" not in page
    )
    assert "Later" in client.get("/collections").text
    assert "Reading group ✓" in client.get(f"/papers/{IDS[0]}").text

    anonymous = client.__class__(client.app)
    for suffix in ("", ".atom", ".json", ".bib"):  # private: the same 404 as no collection
        assert anonymous.get(f"/collections/{collection_id}{suffix}").status_code == 404
    post(client, f"/collections/{collection_id}/edit", name="Reading group", public="true")
    assert anonymous.get(f"/collections/{collection_id}").status_code == 200
    feed = feedparser.parse(anonymous.get(f"/collections/{collection_id}.atom").text)
    assert not feed.bozo and len(feed.entries) == 2
    data = anonymous.get(f"/collections/{collection_id}.json").json()
    assert data["public"] and data["owner"] == "ada" and data["numPapers"] == 2
    assert {p["id"] for p in data["papers"]} == set(IDS[:2])
    entries = bibtexparser.parse_string(
        anonymous.get(f"/collections/{collection_id}.bib").text
    ).entries
    assert {e["eprint"] for e in entries} == set(IDS[:2])
    ris = anonymous.get(f"/collections/{collection_id}?format=ris")
    assert ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert "Edit this collection" not in anonymous.get(f"/collections/{collection_id}").text
    assert "Edit this collection" in client.get(f"/collections/{collection_id}").text

    post(client, f"/papers/{IDS[0]}/collect", collection=str(collection_id), action="remove")
    assert anonymous.get(f"/collections/{collection_id}.json").json()["numPapers"] == 1
    assert "already have a collection" in post(client, "/collections", name="reading GROUP").text
    post(client, f"/collections/{collection_id}/delete")
    assert client.get(f"/collections/{collection_id}").status_code == 404


def test_notes_are_private_markdown(client, papers):
    signup(client)
    post(client, f"/papers/{IDS[0]}/note", body="Check **table 2**")
    assert "<strong>table 2</strong>" in client.get(f"/papers/{IDS[0]}").text
    other = client.__class__(client.app)
    signup(other, "bob", "bob@example.org")
    assert "table 2" not in other.get(f"/papers/{IDS[0]}").text
    assert "table 2" not in client.__class__(client.app).get(f"/papers/{IDS[0]}").text
    data = client.get("/users/ada/export.json").json()["library"]
    assert data["notes"] == [
        {"paper": IDS[0], "body": "Check **table 2**", "updated_at": data["notes"][0]["updated_at"]}
    ]
    post(client, f"/papers/{IDS[0]}/note", body="  ")
    assert "table 2" not in client.get(f"/papers/{IDS[0]}").text
    assert client.get("/users/ada/export.json").json()["library"]["notes"] == []


def test_the_api_with_a_bearer_token(client, papers):
    signup(client)
    headers = api_token(client)
    api = client.__class__(client.app)  # no cookies: the token alone
    assert api.get("/api/reading-list").status_code == 401
    saved = api.put(f"/api/reading-list/{IDS[0]}", headers=headers, json={"read": True})
    assert (
        saved.status_code == 200
        and saved.json()["readAt"]
        and saved.json()["paper"]["id"] == IDS[0]
    )
    api.put(f"/api/reading-list/{IDS[1]}", headers=headers)
    listed = api.get("/api/reading-list?state=unread", headers=headers).json()
    assert [i["paper"]["id"] for i in listed] == [IDS[1]]
    assert api.delete(f"/api/reading-list/{IDS[1]}", headers=headers).status_code == 204
    assert api.delete(f"/api/reading-list/{IDS[1]}", headers=headers).status_code == 204
    assert api.put("/api/reading-list/2699.99999", headers=headers).status_code == 404

    made = api.post("/api/collections", headers=headers, json={"name": "Survey"})
    assert made.status_code == 201 and made.json()["public"] is False
    cid = made.json()["id"]
    assert api.post("/api/collections", headers=headers, json={"name": "survey"}).status_code == 400
    added = api.put(f"/api/collections/{cid}/papers/{IDS[2]}", headers=headers).json()
    assert added["numPapers"] == 1
    one = api.get(f"/api/collections/{cid}", headers=headers).json()
    assert [p["id"] for p in one["papers"]] == [IDS[2]]
    assert api.patch(f"/api/collections/{cid}", headers=headers, json={"public": True}).json()[
        "public"
    ]
    assert [c["name"] for c in api.get("/api/collections", headers=headers).json()] == ["Survey"]

    other = client.__class__(client.app)
    signup(other, "bob", "bob@example.org")
    bob = api_token(other)
    assert api.get(f"/api/collections/{cid}", headers=bob).status_code == 200  # public
    assert api.patch(f"/api/collections/{cid}", headers=bob, json={"name": "x"}).status_code == 404
    assert api.put(f"/api/collections/{cid}/papers/{IDS[0]}", headers=bob).status_code == 404
    api.patch(f"/api/collections/{cid}", headers=headers, json={"public": False})
    assert api.get(f"/api/collections/{cid}", headers=bob).status_code == 404
    assert api.delete(f"/api/collections/{cid}", headers=headers).status_code == 204
    assert api.get(f"/api/collections/{cid}", headers=headers).status_code == 404

    data = client.get("/users/ada/export.json").json()["library"]
    assert [i["paper"] for i in data["reading_list"]] == [IDS[0]]
    assert data["collections"] == []


def test_library_changes_are_rate_limited(client, papers, monkeypatch):
    monkeypatch.setitem(
        ratelimit.LIMITS,
        "library",
        ratelimit.Limit("changes", 3, ratelimit.LIMITS["library"].window),
    )
    signup(client)
    for action in ("save", "unsave", "save"):
        assert post(client, f"/papers/{IDS[0]}/save", action=action).status_code == 303
    refused = post(client, f"/papers/{IDS[0]}/save", action="unsave")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert f"/papers/{IDS[0]}" in client.get("/reading-list").text  # the refused change did nothing
    assert json.loads(client.get("/users/ada/export.json").text)["library"]["reading_list"]


def test_collection_names_are_unique_ignoring_case_beyond_ascii(client, papers):
    signup(client)
    headers = api_token(client)
    api = client.__class__(client.app)
    assert api.post("/api/collections", headers=headers, json={"name": "ÀÛ"}).status_code == 201
    for twin in ("ÀÛ", "àû"):
        again = api.post("/api/collections", headers=headers, json={"name": twin})
        assert again.status_code == 400 and "already have" in again.json()["error"]
    escaped = '{"name": "\\udb95"}'  # JSON may escape a lone surrogate
    broken = api.post(
        "/api/collections", headers={**headers, "Content-Type": "application/json"}, content=escaped
    )
    assert broken.status_code == 422  # a lone surrogate: no database stores it
    listed = api.get("/api/collections", headers=headers).json()
    assert listed[0]["createdAt"].endswith("Z")  # RFC 3339, with its zone
