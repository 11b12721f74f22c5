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
    semantic = {h.paper.arxiv_id for h in search.service.search("parameter", mode="semantic",
                                                                 limit=50).hits}  # fmt: skip
    by_title = [h.paper.title for h in result.hits if word.search(h.paper.title)]
    by_meaning = [
        h.paper.title
        for h in result.hits
        if not word.search(h.paper.title) and h.paper.arxiv_id in semantic
    ]
    assert len(by_title) >= 3, by_title
    assert len(by_meaning) >= 3, by_meaning
    assert word.search(result.hits[0].paper.title + result.hits[1].paper.title)
