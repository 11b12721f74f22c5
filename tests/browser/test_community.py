"""A reader signs up, signs out and in again, upvotes without a reload, and sees it trend."""

import pytest
from playwright.sync_api import expect

from tests.factories import record, store_records

pytestmark = pytest.mark.browser


def test_sign_up_sign_in_upvote_and_trend(browser, live_server, sessions):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Quiet paper", upvotes=5),
        record(arxiv_id="2606.00002", title="Loud paper", upvotes=5),
    )
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/signup")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Email").fill("grace@example.org")
    page.get_by_label("Password").fill("a long enough secret")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(live_server + "/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username or email").fill("grace@example.org")
    page.get_by_label("Password").fill("a long enough secret")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("link", name="grace").is_visible()

    page.goto(live_server + "/papers/trending")
    titles = page.locator("article.card h2").all_inner_texts()
    assert titles == ["Loud paper", "Quiet paper"]
    quiet = page.locator("article.card", has_text="Quiet paper")
    page.evaluate("window.notReloaded = true")
    quiet.get_by_role("button", name="upvote").click()
    expect(quiet.locator(".count")).to_have_text("6")
    assert page.evaluate("window.notReloaded") is True  # updated in place
    quiet.get_by_role("button", name="upvote").click()  # and back
    expect(quiet.locator(".count")).to_have_text("5")
    quiet.get_by_role("button", name="upvote").click()
    expect(quiet.locator(".count")).to_have_text("6")
    page.reload()
    titles = page.locator("article.card h2").all_inner_texts()
    assert titles[0] == "Quiet paper"  # 6 votes against 5: it trends first now
    assert errors == []


def test_comment_with_script_and_onerror_never_runs(browser, live_server, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", title="Discussed paper"))
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server + "/signup")
    page.get_by_label("Username").fill("mallory")
    page.get_by_label("Email").fill("mallory@example.org")
    page.get_by_label("Password").fill("another long secret")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/papers/2606.00001")
    payload = (
        '<script>alert("script")</script> <img src=x onerror="alert(\'img\')"> '
        "[click](javascript:alert('link')) <svg onload=alert('svg')> **fine**"
    )
    page.get_by_label("Comment (Markdown)").fill(payload)
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url("**/papers/2606.00001#c*")
    body = page.locator("article.comment .body")
    expect(body).to_contain_text('<script>alert("script")</script>')  # shown as text
    assert body.locator("strong").inner_text() == "fine"
    assert body.locator("img, svg, script").count() == 0
    assert body.get_by_role("link").count() == 0  # a javascript: URL never becomes a link
    page.reload()
    assert dialogs == []
