"""Search page, search API, search feed and similar papers through the in-process client."""

import xml.etree.ElementTree as ET

import pytest

from tests.factories import record, store_records
from tests.search.test_service import PAPERS


@pytest.fixture
def indexed(sessions, search):
    store_records(sessions, *[record(**p) for p in PAPERS])
    search.catch_up(embed_limit=None)


def test_api_search_has_hugging_face_shape_and_mode(client, indexed):
    response = client.get("/api/papers/search", params={"q": "protein diffusion", "limit": 2})
    assert response.status_code == 200
    assert response.headers["x-search-mode"] == "hybrid"
    items = response.json()
    assert len(items) == 1  # the one close match; the others are far from the query
    first = items[0]
    assert first["paper"]["id"] == "2606.00003"
    assert set(first) >= {"paper", "title", "summary", "publishedAt", "numComments", "searchMode"}
    assert "<mark>protein</mark>" in first["highlight"]["title"]


def test_api_search_degrades_to_lexical_and_says_so(client, sessions, search):
    store_records(sessions, *[record(**p) for p in PAPERS])
    search.indexer.sync_lexical()  # words indexed, no embeddings yet
    response = client.get("/api/papers/search", params={"q": "protein"})
    assert response.status_code == 200
    assert response.json()[0]["searchMode"] == "lexical"
    assert response.headers["x-search-mode"] == "lexical"
    assert "still being built" in response.headers["x-search-notes"]


@pytest.mark.parametrize(
    "q",
    ["", "x" * 5000, "?!.,;:", '"unbalanced', "'; DROP TABLE papers; --", "title:(a OR",
     "NEAR(a b) * ^", "\u0000\u202e", "😀 émile"],
)  # fmt: skip
def test_absurd_queries_never_fail(client, indexed, q):
    for url in ("/api/papers/search", "/search", "/feeds/search.atom"):
        response = client.get(url, params={"q": q})
        assert response.status_code == 200, (url, q, response.text[:300])


@pytest.mark.parametrize(
    "params",
    [{"mode": "magic"}, {"sort": "random"}, {"from": "June"}, {"category": "cs.%"},
     {"min_upvotes": "-1"}, {"limit": "1000"}, {"p": "-1"}],
)  # fmt: skip
def test_bad_search_parameters_get_4xx(client, indexed, params):
    response = client.get("/api/papers/search", params={"q": "models", **params})
    assert 400 <= response.status_code < 500
    assert response.json()["error"]


def test_search_page_highlights_and_paginates(client, indexed):
    page = client.get("/search", params={"q": "<b>models</b>", "sort": "upvotes"})
    assert page.status_code == 200
    assert "<mark>Models</mark>" in page.text or "<mark>models</mark>" in page.text
    assert "<b>models</b>" not in page.text  # the query is escaped, not rendered
    assert "4 results" in page.text


def test_search_feed_is_atom(client, indexed):
    root = ET.fromstring(client.get("/feeds/search.atom", params={"q": "state space"}).content)
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in root.iter(
        "{http://www.w3.org/2005/Atom}entry")]  # fmt: skip
    assert titles[0] == "A survey of state space models"


def test_similar_api_and_paper_page(client, indexed):
    similar = client.get("/api/papers/2606.00001/similar", params={"limit": 3})
    assert similar.status_code == 200 and similar.headers["x-search-mode"] == "semantic"
    assert len(similar.json()) == 3 and "2606.00001" not in [p["id"] for p in similar.json()]
    assert client.get("/api/papers/2101.00001/similar").status_code == 404
    page = client.get("/papers/2606.00001").text
    assert "Similar papers" in page


@pytest.mark.parametrize(
    "q",
    ["2606.00002", " 2606.00002v3 ", "arXiv:2606.00002", "https://arxiv.org/abs/2606.00002v2",
     "http://arxiv.org/pdf/2606.00002v1.pdf", "arxiv.org/abs/2606.00002",
     "https://huggingface.co/papers/2606.00002", "https://www.arxiv.org/html/2606.00002/"],
)  # fmt: skip
def test_an_arxiv_id_or_link_finds_exactly_that_paper(client, indexed, q):
    for mode in ("hybrid", "lexical", "semantic"):
        found = client.get("/api/papers/search", params={"q": q, "mode": mode}).json()
        assert [item["paper"]["id"] for item in found] == ["2606.00002"], (q, mode)
    page = client.get("/search", params={"q": q}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/papers/2606.00002"


def test_an_id_this_instance_lacks_says_so_and_offers_to_submit_it(client, indexed):
    assert client.get("/api/papers/search", params={"q": "2401.99999"}).json() == []
    page = client.get("/search", params={"q": "https://arxiv.org/abs/2401.99999v2"})
    assert page.status_code == 200 and "2401.99999 is not in this instance yet" in page.text
    assert 'href="/submit?paper=2401.99999"' in page.text
    submit = client.get("/submit?paper=2401.99999").text  # signed out: sign in, then back here
    assert 'href="/login?next=/submit%3Fpaper%3D2401.99999"' in submit
