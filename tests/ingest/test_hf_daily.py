"""Parsing Hugging Face daily responses, including the dirty forms seen in the real archive."""

import datetime as dt
import json

from dailypapers.ingest.hf_daily import Issue, parse_jsonl_line, parse_response, read_path
from dailypapers.papers.records import PaperRecord


def item(arxiv_id="2606.26740", **paper):
    base = {
        "id": arxiv_id,
        "title": "LiveEdit:\n  Streaming   Video Editing",
        "summary": "We edit $x_t$\nstreams.",
        "authors": [
            {"name": "Xinyu Wang", "hidden": False},
            {"name": "Hidden Person", "hidden": True},
            {"name": "Yue Ma"},
        ],
        "publishedAt": "2026-06-25T00:00:00.000Z",
        "submittedOnDailyAt": "2026-06-30T09:15:00.000Z",
        "upvotes": 57,
        "githubRepo": "https://github.com/cp-cp/LiveEdit",
    }
    base.update(paper)
    return {"paper": base, "numComments": 3, "publishedAt": "2026-06-30T09:15:00.000Z"}


def test_parse_modern_item():
    [record] = parse_response([item()], "f.json", dt.date(2026, 6, 30))
    assert isinstance(record, PaperRecord)
    assert record.arxiv_id == "2606.26740"
    assert record.title == "LiveEdit: Streaming Video Editing"
    assert record.abstract == "We edit $x_t$ streams."
    assert record.authors == ("Xinyu Wang", "Yue Ma")
    assert record.upvotes == 57 and record.num_comments == 3
    assert record.feed_date == dt.date(2026, 6, 30)
    assert record.github_repo == "https://github.com/cp-cp/LiveEdit"


def test_feed_day_prefers_submitted_on_daily_at_over_response_day():
    [record] = parse_response(
        [item(submittedOnDailyAt="2026-06-29T23:10:00Z")], "f.json", dt.date(2026, 6, 30)
    )
    assert record.feed_date == dt.date(2026, 6, 29)


def test_feed_day_falls_back_to_response_day_for_old_responses():
    old = item()
    del old["paper"]["submittedOnDailyAt"]
    [record] = parse_response([old], "2024-06-03.json", dt.date(2024, 6, 3))
    assert record.feed_date == dt.date(2024, 6, 3)


def test_python_repr_strings_and_wrapper_object():
    as_repr = repr(item())  # a Python repr, with True/False/None, as on the dirty days
    wrapper = {"status": "success", "date": "2025-01-10", "count": 1, "data": [as_repr]}
    [record] = parse_response(wrapper, "x.json", None)
    assert record.arxiv_id == "2606.26740"
    assert record.authors == ("Xinyu Wang", "Yue Ma")


def test_bad_records_are_reported_with_position_and_rest_lands():
    data = [
        item("2606.00001"),
        "{'paper': {'id': broken",
        {"nopaper": 1},
        item("abc"),
        item("2606.00002", title="  "),
        item("2606.00003", upvotes="lots"),
        item("2606.00004"),
    ]
    parsed = list(parse_response(data, "day.json", dt.date(2026, 6, 30)))
    issues = [p for p in parsed if isinstance(p, Issue)]
    records = [p for p in parsed if isinstance(p, PaperRecord)]
    assert [r.arxiv_id for r in records] == ["2606.00001", "2606.00004"]
    assert [i.location for i in issues] == [f"day.json[{n}]" for n in (1, 2, 3, 4, 5)]
    assert "not an arXiv id: 'abc'" in issues[2].message
    assert "missing title" in issues[3].message
    assert "upvotes is not a number" in issues[4].message


def test_response_that_is_not_a_list_is_one_issue():
    [issue] = parse_response({"error": "rate limited"}, "x.json", None)
    assert isinstance(issue, Issue) and "expected a list" in issue.message


def test_jsonl_line_and_bad_line():
    row = {
        "arxiv_id": "2405.15738",
        "daily_date": "2024-05-27",
        "title": "ConvLLaVA",
        "abstract": "a",
        "authors": ["A"],
        "submitted_on_daily_at": "2024-05-27T03:50:58Z",
        "upvotes": 32,
        "num_comments": 3,
    }
    record = parse_jsonl_line(json.dumps(row), "p.jsonl:1")
    assert isinstance(record, PaperRecord) and record.feed_date == dt.date(2024, 5, 27)
    bad = parse_jsonl_line('{"arxiv_id": ', "p.jsonl:7")
    assert isinstance(bad, Issue) and bad.location == "p.jsonl:7" and "invalid JSON" in bad.message


def test_jsonl_lines_orjson_refuses_still_parse_as_json_reads_them():
    # the fast parser (orjson) refuses NaN and lone surrogates; json's reading is kept
    base = '{"arxiv_id": "2405.15738", "daily_date": "2024-05-27", "abstract": "", '
    nan = parse_jsonl_line(base + '"title": "T", "extra": NaN}', "p.jsonl:1")
    assert isinstance(nan, PaperRecord) and nan.title == "T"
    lone = parse_jsonl_line(base + '"title": "T \\ud800 x"}', "p.jsonl:2")
    assert isinstance(lone, Issue) and "broken character at 2" in lone.message  # not bad JSON
    column = parse_jsonl_line('{"arxiv_id": 1,, }', "p.jsonl:3")
    assert isinstance(column, Issue) and column.message.endswith("at column 16")


def test_read_path_reports_line_numbers(tmp_path):
    good = {"arxiv_id": "2405.15738", "daily_date": "2024-05-27", "title": "T", "abstract": ""}
    path = tmp_path / "papers.jsonl"
    path.write_text(json.dumps(good) + "\nnot json\n\n" + json.dumps({**good, "arxiv_id": "x"}))
    parsed = list(read_path(path))
    assert isinstance(parsed[0], PaperRecord)
    assert [str(p).split(": ")[0] for p in parsed[1:]] == [f"{path}:2", f"{path}:4"]


def test_read_path_reports_broken_json_file(tmp_path):
    path = tmp_path / "2026-06-30.json"
    path.write_text("[{]")
    [issue] = read_path(path)
    assert isinstance(issue, Issue) and issue.location.startswith(str(path))
