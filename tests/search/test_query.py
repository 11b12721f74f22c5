import pytest

from dailypapers.search.query import MAX_TERMS, parse_query


def test_words_phrases_and_stop_words():
    q = parse_query('the "state space" models of Attention')
    assert q.phrases == (("state", "space"),)
    assert q.terms == ("models", "attention")
    assert q.engine_string() == '"state space" models attention'


@pytest.mark.parametrize(
    "raw",
    [
        '"unbalanced quote',
        "title:foo AND (bar OR",
        "'; DROP TABLE papers; --",
        "NEAR(a b) * ^ ~2 + - ! {} [] \\",
        "x" * 5000,
        "word " * 2000,
    ],
)
def test_absurd_input_becomes_plain_words(raw):
    q = parse_query(raw)
    engine = q.engine_string()
    assert all(ch.isalnum() or ch in ' "' for ch in engine)
    assert engine.count('"') % 2 == 0
    assert len(q.terms) <= MAX_TERMS


def test_only_punctuation_or_only_stop_words():
    assert parse_query("?!.,;:").is_empty
    assert parse_query("").is_empty
    assert parse_query("the who").terms == ("the", "who")  # better than nothing


def test_single_word_in_quotes_is_a_term():
    assert parse_query('"transformer"').terms == ("transformer",)
