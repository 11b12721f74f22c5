"""A researcher in Chromium: saves a paper without a reload, puts it in a collection, downloads
its BibTeX, follows an author, and watches "For you" change after upvotes."""

import datetime as dt

import bibtexparser
import pytest
from playwright.sync_api import expect

from dailypapers.db.models import utcnow
from tests.browser.test_community import sign_up
from tests.factories import record, store_records

pytestmark = pytest.mark.browser


def test_save_collect_cite_follow_and_for_you(browser, live_server, sessions, settings, tmp_path):
    today = utcnow().date()
    on = {"feed_date": today - dt.timedelta(days=1)}
    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Protein folding with diffusion",
               abstract="Protein structures predicted by diffusion.", authors=("Grace Hopper",),
               upvotes=1, **on),
        record(arxiv_id="2606.00002", title="Diffusion for protein design",
               abstract="Designing protein structures with diffusion.", upvotes=2,
               authors=("Alan Turing",), **on),
        record(arxiv_id="2606.00003", title="Medieval tax records",
               abstract="An economic history of taxation.", upvotes=40,
               authors=("Someone Else",), **on),
        record(arxiv_id="2606.00004", title="Compilers by Hopper",
               abstract="A history of compilers.", authors=("G. Hopper",), upvotes=0,
               feed_date=today - dt.timedelta(days=3)),
    )  # fmt: skip
    page = browser.new_page(accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_up(page, live_server, settings, "grace", "grace@example.org", "a long enough secret")

    # "For you" with nothing to go on: the community's upvotes lead
    page.goto(live_server + "/for-you")
    titles = page.locator("article.card h2").all_inner_texts()
    assert titles.index("Medieval tax records") < titles.index("Diffusion for protein design")

    # save from a card, in place
    page.goto(live_server + f"/papers?date={on['feed_date'].isoformat()}")
    card = page.locator("article.card", has_text="Protein folding with diffusion")
    page.evaluate("window.notReloaded = true")
    card.get_by_role("button", name="Save").click()
    expect(card.locator("form.save button")).to_have_text("Saved ✓")
    assert page.evaluate("window.notReloaded") is True
    page.get_by_role("link", name="Reading list").click()
    expect(page.locator("main")).to_contain_text("Protein folding with diffusion")

    # into a new collection from the paper's page, then its BibTeX
    page.goto(live_server + "/papers/2606.00001")
    page.get_by_label("New collection's name").fill("Reading group")
    page.get_by_role("button", name="Add", exact=True).click()
    page.goto(live_server + "/collections")
    page.get_by_role("link", name="Reading group").click()
    expect(page.locator("main")).to_contain_text("Protein folding with diffusion")
    with page.expect_download() as download:
        page.get_by_role("link", name="BibTeX").click()
    saved = tmp_path / "collection.bib"
    download.value.save_as(saved)
    (entry,) = bibtexparser.parse_string(saved.read_text()).entries
    assert entry["eprint"] == "2606.00001"
    assert entry.key.startswith("hopper") and entry.key.endswith("protein")

    # follow the author from their page: both spellings show up under Following
    page.goto(live_server + "/papers/2606.00001")
    page.locator("p.authors").get_by_role("link", name="Grace Hopper").click()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("button", name="Following ✓")).to_be_visible()
    page.goto(live_server + "/following")
    expect(page.locator("main")).to_contain_text("Compilers by Hopper")
    expect(page.locator("main")).to_contain_text("by Grace Hopper, whom you follow")

    # after an upvote on the protein paper, protein design outranks the popular tax paper
    page.goto(live_server + "/papers/2606.00001")
    page.locator("form.votes").get_by_role("button", name="upvote").click()
    expect(page.locator("form.votes .count")).to_have_text("2")
    page.goto(live_server + "/for-you")
    titles = page.locator("article.card h2").all_inner_texts()
    assert titles.index("Diffusion for protein design") < titles.index("Medieval tax records")
    expect(page.locator("main")).to_contain_text("like “Protein folding with diffusion”")
    assert errors == []
