import datetime as dt

import pytest

from dailypapers.papers.records import (
    RecordError,
    normalize_space,
    optional_int,
    parse_timestamp,
    split_arxiv_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2405.15738", ("2405.15738", None)),
        ("2405.15738v3", ("2405.15738", 3)),
        ("0704.0001", ("0704.0001", None)),
        ("astro-ph/0601001", ("astro-ph/0601001", None)),
        ("quant-ph/0201082v1", ("quant-ph/0201082", 1)),
        ("math.CO/0601001v2", ("math.CO/0601001", 2)),
        ("https://arxiv.org/abs/2104.12255v1", ("2104.12255", 1)),
        ("arXiv:2405.15738", ("2405.15738", None)),
        (" 2405.15738 ", ("2405.15738", None)),
    ],
)
def test_split_arxiv_id_accepts_both_styles(raw, expected):
    assert split_arxiv_id(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "abc", "2405.157", "2405.15738v", "../etc/passwd", "1234.56789x"]
)
def test_split_arxiv_id_rejects_junk(raw):
    with pytest.raises(RecordError):
        split_arxiv_id(raw)


def test_normalize_space_keeps_tex():
    text = "We bound $O(n\\log n)$\n  steps   and  <b>keep</b> it"
    assert normalize_space(text) == "We bound $O(n\\log n)$ steps and <b>keep</b> it"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b \x7f c\ufffe", "ab c"),  # controls XML cannot carry are dropped
        ("a \x00 b", "a b"),
        ("page\x0cbreak\x0bthen\x1fend", "page break then end"),  # whitespace controls: spaces
        ("\u00e9\u0000t\u00e9  \u200b", "\u00e9t\u00e9 \u200b"),  # other characters stay
        (None, ""),
    ],
)
def test_normalize_space_drops_control_characters(raw, expected):
    assert normalize_space(raw) == expected


def test_normalize_space_refuses_a_lone_surrogate():
    with pytest.raises(RecordError, match="broken character at 7"):
        normalize_space("Broken \ud800  title")


def test_parse_timestamp_converts_to_naive_utc():
    assert parse_timestamp("2026-06-30T00:30:00.000+02:00") == dt.datetime(2026, 6, 29, 22, 30)
    assert parse_timestamp("2026-06-30T00:00:00.000Z") == dt.datetime(2026, 6, 30)
    assert parse_timestamp(None) is None
    with pytest.raises(RecordError):
        parse_timestamp("yesterday")


def test_optional_int_rejects_negative_and_text():
    assert optional_int("12", "upvotes") == 12
    with pytest.raises(RecordError):
        optional_int(-1, "upvotes")
    with pytest.raises(RecordError):
        optional_int("many", "upvotes")
    with pytest.raises(RecordError):
        optional_int(True, "upvotes")
