"""The JSON API keeps Hugging Face's shapes and answers bad input with 4xx, never 500."""

import datetime as dt

import pytest

from tests.factories import record, store_records

MON, FRI = dt.date(2026, 6, 8), dt.date(2026, 6, 12)


@pytest.fixture
def papers(sessions):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Old", feed_date=MON, upvotes=90),
        record(
            arxiv_id="2606.00002",
            title="Early",
            feed_date=FRI,
            upvotes=3,
            submitted_at=dt.datetime(2026, 6, 12, 6),
            github_repo="https://github.com/e/e",
        ),
        record(
            arxiv_id="2606.00003",
            title="Late",
            feed_date=FRI,
            upvotes=30,
            submitted_at=dt.datetime(2026, 6, 12, 20),
            submitted_by="AK",
        ),
    )


def test_daily_papers_shape_matches_hugging_face(client, papers):
    items = client.get("/api/daily_papers").json()
    assert [i["paper"]["id"] for i in items] == ["2606.00003", "2606.00002"]  # latest day, newest
    item = items[1]
    assert set(item) >= {"paper", "publishedAt", "title", "summary", "numComments"}
    paper = item["paper"]
    assert set(paper) >= {
        "id",
        "title",
        "summary",
        "authors",
        "publishedAt",
        "upvotes",
        "githubRepo",
    }
    hidden = {"hidden": False}  # as Hugging Face lists an author
    assert paper["authors"] == [
        {"name": "Ada Lovelace", **hidden},
        {"name": "Alan Turing", **hidden},
    ]
    assert paper["githubRepo"] == "https://github.com/e/e"
    assert item["publishedAt"].startswith("2026-06-12T06:00")
    assert items[0]["submittedBy"]["fullname"] == "AK"


def test_periods_sorting_and_paging(client, papers):
    week = client.get("/api/daily_papers", params={"week": "2026-W24", "sort": "upvotes"}).json()
    assert [i["title"] for i in week] == ["Old", "Late", "Early"]
    month = client.get("/api/daily_papers", params={"month": "2026-06", "limit": 2, "p": 1}).json()
    assert [i["title"] for i in month] == ["Old"]
    assert client.get("/api/daily_papers", params={"date": "2026-06-10"}).json() == []
    trending = client.get("/api/daily_papers", params={"week": "2026-W24", "sort": "trending"})
    assert trending.status_code == 200 and len(trending.json()) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2026-13-01"},
        {"date": "x" * 5000},
        {"week": "2026-W99"},
        {"month": "2026-00"},
        {"date": "2026-06-12", "month": "2026-06"},
        {"p": "-1"},
        {"p": "99999999999999999999999"},
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"sort": "random"},
    ],
)
def test_bad_parameters_get_a_clear_4xx(client, papers, params):
    response = client.get("/api/daily_papers", params=params)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]


def test_paper_endpoint(client, papers):
    paper = client.get("/api/papers/2606.00003v2").json()
    assert paper["id"] == "2606.00003" and paper["upvotes"] == 30
    missing = client.get("/api/papers/2101.00001")
    assert missing.status_code == 404 and "not in this instance" in missing.json()["error"]
    assert client.get("/api/papers/not-an-id").status_code == 400


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    assert "/api/daily_papers" in spec["paths"]
    assert "/api/papers/{arxiv_id}" in spec["paths"]


def test_times_are_rfc3339_utc(client, papers):
    item = client.get("/api/daily_papers").json()[0]
    assert item["publishedAt"].endswith("Z")
    assert item["paper"]["publishedAt"].endswith("Z") and item["paper"][
        "submittedOnDailyAt"
    ].endswith("Z")
