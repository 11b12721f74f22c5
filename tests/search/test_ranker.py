import pytest

from dailypapers.search.ranker import DENSE, LEXICAL, SENTENCE, first_stage, rerank


def test_first_stage_blends_normalised_bm25_and_cosine():
    lexical = [(1, 10.0), (2, 5.0)]
    cosines = {1: 0.2, 2: 0.6, 3: 0.5}
    scores = dict(first_stage(lexical, cosines))
    assert scores[1] == pytest.approx(LEXICAL * 1.0 + DENSE * 0.2)
    assert scores[2] == pytest.approx(LEXICAL * 0.5 + DENSE * 0.6)
    assert scores[3] == pytest.approx(DENSE * 0.5)  # found by meaning only


def test_candidate_without_embedding_gets_lowest_cosine():
    scores = dict(first_stage([(9, 4.0)], {1: 0.7, 2: 0.3}))
    assert scores[9] == pytest.approx(LEXICAL + DENSE * 0.3)


def test_rerank_promotes_the_best_sentence_match_within_the_head():
    stage1 = [(1, 1.0), (2, 0.95), (3, 0.5)]
    reranked = rerank(stage1, {1: 0.1, 2: 0.9}, {1: 0.4, 2: 0.4, 3: 0.4}, depth=2)
    assert [d for d, _ in reranked] == [2, 1, 3]
    assert reranked[0][1] == pytest.approx(0.95 + SENTENCE * 0.9)
    assert reranked[2][1] < reranked[1][1]  # the tail stays below the head


def test_rerank_falls_back_to_document_cosine():
    reranked = dict(rerank([(1, 1.0)], {}, {1: 0.5}))
    assert reranked[1] == pytest.approx(1.0 + SENTENCE * 0.5)
