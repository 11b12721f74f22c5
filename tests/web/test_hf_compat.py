"""Drop-in compatibility with Hugging Face's papers API (issue 16), judged by Hugging Face's own
answers (a recorded day) and by its own client, `huggingface_hub`, against a real server."""

from __future__ import annotations

import json
import re

import pytest

from dailypapers.ingest.hf_daily import parse_response
from dailypapers.papers.records import PaperRecord
from tests.conftest import fixture
from tests.factories import store_records

DAY = "2026-06-30"
AI_KEYS = {"ai_summary", "ai_keywords", "ai_summary_model"}
HF_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def raw_day():
    return json.loads(fixture("hf-daily", "raw", f"{DAY}.json").read_text())


@pytest.fixture
def imported(sessions):
    records = [r for r in parse_response(raw_day(), DAY, None) if isinstance(r, PaperRecord)]
    store_records(sessions, *records)
    return raw_day()


def differences(theirs, ours, where="item"):
    """Every key and JSON type of `theirs` that `ours` lacks (AI text excepted)."""
    found = []
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{where}: object, ours {type(ours).__name__}"]
        for key, value in theirs.items():
            if key in AI_KEYS:
                continue
            if key not in ours:
                found.append(f"{where}.{key}: missing")
            elif value is not None:
                found += differences(value, ours[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        if not isinstance(ours, list):
            return [f"{where}: list, ours {type(ours).__name__}"]
        for i, (a, b) in enumerate(zip(theirs, ours, strict=False)):
            found += differences(a, b, f"{where}[{i}]")
        if len(theirs) != len(ours):
            found.append(f"{where}: {len(theirs)} items, ours {len(ours)}")
    elif isinstance(theirs, str) and HF_TIME.match(theirs):
        if not (isinstance(ours, str) and HF_TIME.match(ours)):
            found.append(f"{where}: time {theirs!r}, ours {ours!r}")
    elif type(theirs) is not type(ours) and not (
        isinstance(theirs, int | float) and isinstance(ours, int | float)
    ):
        found.append(f"{where}: {type(theirs).__name__}, ours {type(ours).__name__}")
    return found


def test_daily_papers_answer_with_every_key_hugging_face_sends(client, imported):
    ours = {
        i["paper"]["id"]: i for i in client.get(f"/api/daily_papers?date={DAY}&limit=100").json()
    }
    assert len(ours) == len(imported)
    problems = []
    for item in imported:
        mine = ours[item["paper"]["id"]]
        problems += differences(item, mine, item["paper"]["id"])
        assert not AI_KEYS & set(mine["paper"]), "AI text is never served"
    assert problems == []
    one = imported[0]["paper"]
    mine = ours[one["id"]]["paper"]
    assert mine["organization"] == one["organization"]  # an object, as sent
    assert mine["authors"] == one["authors"] and mine["discussionId"] == one["discussionId"]


def test_one_paper_answers_as_hugging_face_does(client, imported):
    one = imported[0]["paper"]
    mine = client.get(f"/api/papers/{one['id']}").json()
    assert differences(one, mine, one["id"]) == []
    assert mine["numTotalModels"] == 0 and mine["linkedModels"] == []


def test_submitter_filters_and_pages_link_to_the_next(client, imported):
    handle = imported[0]["submittedBy"]["name"]
    theirs = {i["paper"]["id"] for i in imported if i["submittedBy"]["name"] == handle}
    mine = client.get("/api/daily_papers", params={"submitter": handle}).json()
    assert {i["paper"]["id"] for i in mine} == theirs
    assert client.get("/api/daily_papers", params={"submitter": "nobody-here"}).json() == []
    first = client.get(f"/api/daily_papers?date={DAY}&limit=10")
    assert first.headers["link"].endswith('p=1>; rel="next"')
    last = client.get(f"/api/daily_papers?date={DAY}&limit=10&p=3")
    assert len(last.json()) == 4 and "link" not in last.headers


def test_huggingface_hub_works_unchanged_against_this_server(live_server, imported, search):
    from huggingface_hub import HfApi

    search.catch_up(embed_limit=None)
    api = HfApi(endpoint=live_server)
    one = imported[0]["paper"]
    info = api.paper_info(one["id"])
    assert info.id == one["id"] and info.title == one["title"]
    assert info.organization.name == one["organization"]["name"]
    assert info.discussion_id == one["discussionId"]
    assert [a.name for a in info.authors] == [a["name"] for a in one["authors"]]
    assert info.submitted_by.fullname == one["submittedOnDailyBy"]["fullname"]
    assert info.num_total_models == 0
    day = list(api.list_daily_papers(date=DAY, limit=100))
    assert {p.id for p in day} == {i["paper"]["id"] for i in imported}
    assert all(p.submitted_at and p.title for p in day)
    assert len(list(api.list_daily_papers(week="2026-W27", limit=5))) == 5
    assert len(list(api.list_daily_papers(month="2026-06", limit=7, p=1))) == 7
    top = list(api.list_daily_papers(date=DAY, sort="trending", limit=3))
    assert len(top) == 3
    handle = imported[0]["submittedBy"]["name"]
    assert {p.id for p in api.list_daily_papers(submitter=handle)} >= {one["id"]}
    found = list(api.list_papers(query=one["title"], limit=3))
    assert found and found[0].id == one["id"]
    text = api.read_paper(one["id"])
    assert text.startswith(f"# {one['title']}") and "## Abstract" in text


def test_the_paper_reads_as_markdown(client, sessions):
    from tests.factories import record

    store_records(sessions, record(arxiv_id="2606.00071", title="A *starred* title",
                                   github_repo="https://github.com/x/y"))  # fmt: skip
    answer = client.get("/papers/2606.00071.md")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/markdown")
    assert "**Code:** https://github.com/x/y" in answer.text
    assert client.get("/papers/2606.99999.md").status_code == 404


def test_the_hf_command_line_works_through_hf_endpoint(live_server, imported, search, tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    search.catch_up(embed_limit=None)
    hf = shutil.which("hf", path=os.path.dirname(sys.executable))
    assert hf, "huggingface_hub's `hf` command is installed with the dev dependencies"
    env = {**os.environ, "HF_ENDPOINT": live_server, "HF_HOME": str(tmp_path), "NO_COLOR": "1"}
    one = imported[0]["paper"]

    def hf_papers(*args):
        done = subprocess.run([hf, "papers", *args], env=env, capture_output=True, text=True,
                              timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert one["id"] in hf_papers("ls", "--date", DAY)
    assert one["id"] in hf_papers("search", one["title"][:40])
    assert one["title"][:30] in hf_papers("info", one["id"])
    assert hf_papers("read", one["id"]).startswith(f"# {one['title']}")


def test_organizations_have_a_page_and_a_feed_and_cards_name_them(client, imported):
    one = next(i for i in imported if i["paper"].get("organization"))
    org = one["paper"]["organization"]
    theirs = {
        i["paper"]["id"]
        for i in imported
        if (i["paper"].get("organization") or {}).get("name") == org["name"]
    }
    page = client.get(f"/organizations/{org['name']}")
    assert page.status_code == 200 and org["fullname"] in page.text
    assert all(f"/papers/{pid}" in page.text for pid in theirs)
    feed = client.get(f"/organizations/{org['name']}/feed.atom")
    assert feed.status_code == 200 and feed.text.count("<entry>") == len(theirs)
    assert client.get("/organizations/no-such-org").status_code == 404
    day = client.get(f"/papers?date={DAY}").text
    assert f'href="/organizations/{org["name"]}"' in day
    assert f"submitted by {one['submittedBy']['fullname']}" in day


def test_the_thumbnail_shows_lazily_from_its_one_allowed_host(client, imported):
    one = imported[0]
    page = client.get(f"/papers/{one['paper']['id']}")
    assert f'src="{one["thumbnail"]}"' in page.text and 'loading="lazy"' in page.text
    assert (
        "img-src 'self' data: https://cdn-thumbnails.huggingface.co;"
        in page.headers["content-security-policy"]
    )
