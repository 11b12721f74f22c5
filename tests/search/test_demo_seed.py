"""The seed page's promise: searching "parameter" finds papers by meaning and by title words."""

import re

from dailypapers.demo import load_demo


def test_parameter_finds_meaning_matches_and_title_matches(sessions, search):
    load_demo(sessions)  # ships with embeddings: semantic search works without waiting
    search.catch_up(embed_limit=0)
    assert search.indexer.pending_embeddings() == 0
    result = search.service.search("parameter", mode="hybrid", limit=20)
    assert result.used == "hybrid" and not result.notes
    word = re.compile(r"parameter", re.IGNORECASE)
    by_title = [h.paper.title for h in result.hits if word.search(h.paper.title)]
    assert len(by_title) >= 3, by_title
    assert word.search(result.hits[0].paper.title + result.hits[1].paper.title)
    # a one-word query says little about meaning (its best cosine is 0.24); a sentence does:
    # papers that share none of its words, found by meaning alone and close enough to show
    asked = "machines that walk and grasp"
    by_words = {h.paper.arxiv_id for h in search.service.search(asked, mode="lexical",
                                                                limit=200).hits}  # fmt: skip
    hybrid = search.service.search(asked, mode="hybrid", limit=100)
    by_meaning = [h.paper.title for h in hybrid.hits if h.paper.arxiv_id not in by_words]
    assert not hybrid.nearest_only and len(by_meaning) >= 3, by_meaning
