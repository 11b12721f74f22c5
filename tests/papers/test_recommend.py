"""The "For you" ranker and `dailypapers eval recommend`: on a small archive built here, and
on the real one (the issue's bar: nDCG@10 above every baseline)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dailypapers.cli import app
from dailypapers.ranking.recommend import Item, recommend
from tests.conftest import fixture, shared


def item(text, authors=(), org=None, upvotes=0):
    return Item(text, tuple(authors), org, upvotes)


def test_words_authors_and_organizations_each_pull_a_paper_up():
    liked = [item("protein folding diffusion structures"), item("x", ("a lovelace",), "DeepMind")]
    pool = [
        item("medieval tax history", upvotes=100),
        item("diffusion for protein structures and folding"),
        item("unrelated words", ("a lovelace",)),
        item("something else entirely", org="DeepMind"),
    ]
    scored = recommend(liked, pool)
    order = sorted(range(len(pool)), key=lambda i: -scored.scores[i])
    assert order[-1] == 0  # popular, but nothing like what the reader liked
    assert scored.reasons[1] == ("words", 0)  # nearest to the first liked paper
    assert scored.reasons[2][0] == "authors" and scored.reasons[3][0] == "organization"
    alone = recommend([], pool)  # a newcomer: the community's signal only
    assert int(alone.scores.argmax()) == 0 and alone.reasons[0] == ("popularity", -1)


def archive(tmp_path, rows):
    path = tmp_path / "archive.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + "not json\n")
    return path


def test_eval_command_reports_every_method_and_the_readers(tmp_path):
    text = fixture("hf-daily", "papers-2026-06-01..03.jsonl").read_text()
    rows = [json.loads(line) for line in text.splitlines()]
    result = CliRunner().invoke(
        app, ["eval", "recommend", str(archive(tmp_path, rows)), "--json", "--min-submissions", "3"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"method", "baselines", "readers"}
    assert set(report["baselines"]) == {"recency", "popularity", "svm"}
    assert report["readers"] == 2  # the two submitters with 3 or more papers in these days
    for found in [report["method"], *report["baselines"].values()]:
        assert 0 <= found["overall"]["ndcg@10"] <= 1 and found["overall"]["readers"] == 2
    assert "archive.jsonl:" in result.stderr  # the bad line is reported with its place
    none = CliRunner().invoke(app, ["eval", "recommend", str(archive(tmp_path, rows[:3]))])
    assert none.exit_code == 2 and "no submitter" in none.stderr


@pytest.mark.shared_data
@pytest.mark.slow  # ~35 s: every reader of the real archive, SVM included
def test_for_you_beats_every_baseline_on_real_submitters():
    result = CliRunner().invoke(
        app, ["eval", "recommend", str(shared("hf-daily", "papers.jsonl")), "--json"]
    )
    report = json.loads(result.stdout)
    assert report["readers"] >= 40
    ours = report["method"]["overall"]["ndcg@10"]
    assert all(ours > b["overall"]["ndcg@10"] for b in report["baselines"].values())
