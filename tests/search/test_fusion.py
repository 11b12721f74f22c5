import pytest

from dailypapers.search.fusion import normalized, reciprocal_rank_fusion, score_blend


def test_rrf_by_hand():
    lexical = [(1, 9.0), (2, 5.0), (3, 1.0)]
    semantic = [(3, 0.9), (1, 0.8)]
    fused = dict(reciprocal_rank_fusion([lexical, semantic], k=10))
    assert fused[1] == pytest.approx(1 / 11 + 1 / 12)
    assert fused[3] == pytest.approx(1 / 13 + 1 / 11)
    assert fused[2] == pytest.approx(1 / 12)
    assert [d for d, _ in reciprocal_rank_fusion([lexical, semantic], k=10)] == [1, 3, 2]


def test_rrf_weights_and_ties():
    assert reciprocal_rank_fusion([[(5, 1.0)], [(4, 1.0)]], k=1) == [(4, 0.5), (5, 0.5)]
    weighted = reciprocal_rank_fusion([[(5, 1.0)], [(4, 1.0)]], k=1, weights=[2, 1])
    assert weighted[0] == (5, 1.0)


def test_blend_normalises_each_list():
    assert normalized([(1, 10.0), (2, 5.0), (3, 0.0)]) == {1: 1.0, 2: 0.5, 3: 0.0}
    assert normalized([(7, 3.0)]) == {7: 1.0}
    blended = dict(score_blend([(1, 10.0), (2, 0.0)], [(2, 0.9), (3, 0.1)], alpha=0.5))
    assert blended == {1: 0.5, 2: 0.5, 3: 0.0}
