"""The search service on a real store, real tantivy index and the real embedding model."""

import datetime as dt

import pytest

from dailypapers.search.store import Filters
from tests.factories import record, store_records

PAPERS = [
    dict(arxiv_id="2606.00001", title="LoRA: Low-Rank Adaptation of Large Language Models",
         abstract="We freeze the pretrained weights and inject trainable rank decomposition "
         "matrices, reducing trainable weights by 10,000 times.", upvotes=90,
         authors=("Edward Hu", "Yelong Shen")),
    dict(arxiv_id="2606.00002", title="Counting parameters in vision transformers",
         abstract="We study how many parameters image models need.", upvotes=5),
    dict(arxiv_id="2606.00003", title="Diffusion models for protein design",
         abstract="Generative diffusion over amino-acid sequences and backbones.", upvotes=40,
         published_at=dt.datetime(2026, 1, 5)),
    dict(arxiv_id="2606.00004", title="A survey of state space models",
         abstract="Mamba and other selective state space sequence models.", upvotes=12),
]  # fmt: skip


@pytest.fixture
def indexed(sessions, search):
    store_records(sessions, *[record(**p) for p in PAPERS])
    search.catch_up(embed_limit=None)
    return search.service


def ids(result):
    return [h.paper.arxiv_id for h in result.hits]


def test_words_are_searchable_before_any_embedding(sessions, search):
    store_records(sessions, *[record(**p) for p in PAPERS])
    search.indexer.sync_lexical()
    result = search.service.search("diffusion protein", mode="hybrid")
    assert ids(result)[0] == "2606.00003"
    assert result.used == "lexical" and result.mode == "hybrid"
    assert "still being built" in " ".join(result.notes)


def test_modes(indexed):
    lexical = indexed.search("parameters", mode="lexical")
    assert ids(lexical) == ["2606.00002"]
    semantic = indexed.search("fine-tuning with few trainable weights", mode="semantic")
    assert ids(semantic)[0] == "2606.00001"
    hybrid = indexed.search("parameter efficient fine-tuning", mode="hybrid")
    assert {"2606.00001", "2606.00002"} <= set(ids(hybrid)[:2])
    assert hybrid.used == "hybrid" and not hybrid.notes


def test_phrases_and_author_boost(indexed):
    assert ids(indexed.search('"state space"', mode="lexical")) == ["2606.00004"]
    assert ids(indexed.search("yelong shen", mode="lexical")) == ["2606.00001"]


def test_filters_sort_and_paging(indexed):
    popular = indexed.search("models", mode="lexical", filters=Filters(min_upvotes=20))
    assert set(ids(popular)) == {"2606.00001", "2606.00003"}
    dated = indexed.search("models", mode="hybrid", filters=Filters(date_to=dt.date(2026, 2, 1)))
    assert ids(dated) == ["2606.00003"]
    by_votes = indexed.search("models", mode="hybrid", sort="upvotes")
    votes = [h.paper.upvotes for h in by_votes.hits]
    assert votes == sorted(votes, reverse=True) and len(votes) == 4
    page2 = indexed.search("models", mode="hybrid", sort="upvotes", limit=2, offset=2)
    assert ids(page2) == ids(by_votes)[2:]
    assert page2.total == 4
    assert indexed.search("models", filters=Filters(category="cs.CL")).hits == []


def test_similar_papers(indexed, sessions):
    from dailypapers.search.store import SearchStore

    with sessions() as session:
        lora = SearchStore(session).paper_id_of("2606.00001")
    hits, mode = indexed.similar(lora, 2)
    assert mode == "semantic"
    assert "2606.00001" not in [h.paper.arxiv_id for h in hits]
    assert len(hits) == 2


def test_edited_text_is_reindexed(indexed, search, sessions):
    store_records(sessions, record(**{**PAPERS[3], "title": "A survey of hyena operators",
                                      "observed_at": dt.datetime(2027, 1, 1)}))  # fmt: skip
    search.catch_up(embed_limit=None)
    assert ids(indexed.search("hyena", mode="lexical")) == ["2606.00004"]
    assert ids(indexed.search('"state space"', mode="lexical")) == ["2606.00004"]  # abstract
    assert indexed.search("survey of state", mode="lexical").hits


def test_nonsense_finds_no_close_match_and_shows_the_nearest_as_such(indexed):
    for mode in ("hybrid", "semantic"):
        result = indexed.search("qwzxkjvbnm florbix", mode=mode)
        assert result.nearest_only and "No close matches" in " ".join(result.notes), mode
        assert 0 < len(result.hits) <= 5 and result.total == len(result.hits)
    assert indexed.search("qwzxkjvbnm florbix", mode="lexical").hits == []


def test_a_real_query_keeps_its_matches_and_drops_far_ones(indexed):
    result = indexed.search("protein diffusion", mode="hybrid")
    assert not result.nearest_only and ids(result)[0] == "2606.00003"
    # papers found by meaning alone and far from the query are not listed as matches
    assert len(result.hits) < len(PAPERS)


def test_the_search_page_says_when_nothing_is_close(client, indexed):
    page = client.get("/search", params={"q": "qwzxkjvbnm florbix"}).text
    assert "No close matches" in page and "nearest in meaning, none a close match" in page
    answer = client.get("/api/papers/search", params={"q": "qwzxkjvbnm florbix"})
    assert "No close matches" in answer.headers["x-search-notes"]
