"""A reader opens today's papers, goes back a day and opens a paper, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from dailypapers.demo import load_demo
from tests.browser.test_community import sign_up

pytestmark = pytest.mark.browser


def test_home_previous_day_and_paper(browser, live_server, sessions):
    load_demo(sessions)
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Friday, 21 August 2026"
    cards = page.locator("article.card")
    assert cards.count() > 5
    first_votes = int(cards.nth(0).locator(".count").inner_text())
    second_votes = int(cards.nth(1).locator(".count").inner_text())
    assert first_votes >= second_votes

    page.get_by_role("link", name="previous day").click()
    page.wait_for_url("**/papers?date=2026-08-20")
    assert page.locator("h1").inner_text() == "Thursday, 20 August 2026"

    title = page.locator("article.card h2 a").first
    expected = title.inner_text()
    title.click()
    page.wait_for_url("**/papers/26*")
    assert page.locator("h1").inner_text() == expected
    assert len(page.locator("p.abstract").inner_text()) > 200
    assert (
        page.get_by_role("link", name="PDF")
        .get_attribute("href")
        .startswith("https://arxiv.org/pdf/")
    )
    # nothing overflows the phone's width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []


def test_month_view_chart_links_to_a_day(browser, live_server, sessions):
    load_demo(sessions)
    page = browser.new_page()
    page.goto(live_server + "/papers?month=2026-07")
    bars = page.locator("svg.chart a")
    assert bars.count() >= 15  # weekdays with papers
    bars.first.click()
    page.wait_for_url("**/papers?date=2026-07-*")
    assert page.locator("article.card").count() > 0


def test_search_from_the_header_highlights_matches(browser, live_server, sessions, search):
    load_demo(sessions)
    search.catch_up(embed_limit=0)
    page = browser.new_page()
    page.goto(live_server + "/")
    box = page.get_by_role("searchbox", name="Search papers")
    page.keyboard.press("/")  # jumps to the search box, and types no slash
    expect(box).to_be_focused()
    assert box.input_value() == ""
    box.fill("parameter efficient fine-tuning")
    box.press("Enter")
    page.wait_for_url("**/search?q=parameter+efficient+fine-tuning")
    results = page.locator("article.result")
    assert results.count() == 20
    assert page.locator("article.result mark").count() > 0
    assert "hybrid" in page.locator(".sub").first.inner_text()
    # one search box on the search page: its own, holding the query
    boxes = page.get_by_role("searchbox")
    assert boxes.count() == 1
    assert boxes.input_value() == "parameter efficient fine-tuning"
    boxes.press("End")
    boxes.type("/x")  # in a field, "/" is just a character
    assert boxes.input_value() == "parameter efficient fine-tuning/x"
    results.first.locator("h2 a").click()
    page.wait_for_url("**/papers/*")
    assert page.locator("section.similar li").count() == 8


def test_a_signed_in_readers_menu_fits_a_phone_and_a_laptop(
    browser, live_server, sessions, settings
):
    load_demo(sessions)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_up(page, live_server, settings, "ada", "ada@example.org", "a long enough secret")
    page.goto(live_server + "/")
    links = page.locator("header.top nav a")
    assert links.count() >= 10  # the signed-in menu: Daily ... For you, Reading list, ada
    # no menu entry breaks across lines ("New on / arXiv")
    for i in range(links.count()):
        assert links.nth(i).evaluate("a => a.getClientRects().length") == 1
    # the menu is one row that scrolls sideways, so the day's papers start near the top
    tops = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
    assert len(tops) == 1
    assert page.locator("h1").bounding_box()["y"] < 200
    # and the page itself still fits the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the menu says where the reader is
    assert page.locator('header.top nav [aria-current="page"]').all_inner_texts() == ["Daily"]
    # a keyboard reader skips the menu: the first Tab offers it, Enter lands on the papers
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.bounding_box()["x"] < 0  # out of sight until focused
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0  # shown while focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    # the reader's own page, far along the row, can be scrolled to and used
    me = page.locator("header.top nav a.me")
    me.scroll_into_view_if_needed()
    me.click()
    page.wait_for_url("**/users/ada")
    # a page far along the row opens with its entry in view, and marked
    page.goto(live_server + "/collections")
    here = page.locator('header.top nav [aria-current="page"]')
    assert here.all_inner_texts() == ["Collections"]
    box = here.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # a checkbox sits at the start of its label, not centred on a line of its own
    public = page.get_by_label("Public")
    label = page.locator("label", has=public)
    tick, line = public.bounding_box(), label.bounding_box()
    assert abs(tick["x"] - line["x"]) < 8 and tick["width"] < 40
    page.goto(live_server + "/papers?view=week")
    current = page.locator('header.top nav [aria-current="page"]').all_inner_texts()
    assert current == ["Weekly"]
    # on a tablet or a laptop the long menu moves below the brand and the search box
    # rather than squeezing them
    for width in (768, 1024, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server + "/")
        box = page.get_by_role("searchbox", name="Search papers").bounding_box()
        assert box["width"] >= 150, width
        assert page.locator(".brand").evaluate("a => a.getClientRects().length") == 1
        for i in range(links.count()):
            assert links.nth(i).evaluate("a => a.getClientRects().length") == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    # a card's Save button stays in its row of links (a form in a <p> would push it out)
    card = page.locator("article.card").first
    save = card.get_by_role("button", name="Save").bounding_box()
    arxiv = card.get_by_role("link", name=re.compile(r"^arXiv \d")).bounding_box()
    assert abs(save["y"] - arxiv["y"]) < 8
    assert save["x"] - (arxiv["x"] + arxiv["width"]) < 20  # one gap, as between links


CONTRAST = """(selector) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const el = document.querySelector(selector);
  let back = el;  // the nearest ancestor with a background of its own
  while (getComputedStyle(back).backgroundColor === "rgba(0, 0, 0, 0)") back = back.parentElement;
  const a = lum(rgb(getComputedStyle(el).color));
  const b = lum(rgb(getComputedStyle(back).backgroundColor));
  return { ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), background: b };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_follow_the_readers_colour_scheme_and_stay_readable(
    browser, live_server, sessions, search, scheme
):
    load_demo(sessions)
    search.catch_up(embed_limit=0)
    page = browser.new_page(color_scheme=scheme)
    readable = {
        "/": ["h1", "article.card h2 a", ".authors", ".meta a", ".votes .count", "nav a"],
        "/search?q=diffusion": ["mark", ".snippet", ".sub", "select", "input[type=search]"],
        "/papers?view=month": [".sub", "footer a"],
    }
    for url, selectors in readable.items():
        page.goto(live_server + url)
        body = page.evaluate(CONTRAST, "main")["background"]
        assert (body < 0.05) if scheme == "dark" else (body > 0.9), (url, body)
        for selector in selectors:
            assert page.evaluate(CONTRAST, selector)["ratio"] >= 4.5, (scheme, url, selector)
