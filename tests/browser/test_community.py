"""A reader signs up, signs out and in again, upvotes without a reload, and sees it trend."""

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from dailypapers.db.models import utcnow
from tests.community.test_accounts import mails_in
from tests.digest.helpers import links, path
from tests.factories import record, store_records

pytestmark = pytest.mark.browser


def sign_up(page, live_server, settings, username, email, password):
    """The form, then the mailed link (written by the file mailer), then its button."""
    page.goto(live_server + "/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#account-sent")).to_contain_text(f"We sent a link to {email}")
    url = links(mail_to(settings, email), "/signup/confirm/")[0]
    page.goto(live_server + path(url))
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server}/users/{username}")


def mail_to(settings, email, timeout=15.0):
    """The mail to `email`: the site sends it after answering (a background task), so on a busy
    machine the page can say "sent" a moment before the file mailer has written it."""
    deadline = time.monotonic() + timeout
    while not (mails := mails_in(settings.data_dir / "mail", email)):
        assert time.monotonic() < deadline, f"no mail to {email}"
        time.sleep(0.05)
    return mails[-1]


def test_sign_up_sign_in_submit_upvote_comment_and_trend(browser, live_server, sessions, settings):
    today = utcnow().date()
    recent = dt.datetime.combine(today - dt.timedelta(days=2), dt.time())
    store_records(
        sessions,
        # on today's feed since an hour ago (the factory's 08:00 is in the future before 08:00 UTC,
        # which made the later submission look older and this test fail at night)
        record(arxiv_id="2606.00002", title="Loud paper", upvotes=1, feed_date=today,
               submitted_at=utcnow() - dt.timedelta(hours=1)),
        record(arxiv_id="2606.00003", title="Fresh preprint", upvotes=0, published_at=recent,
               feed_date=None),
    )  # fmt: skip
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_up(page, live_server, settings, "grace", "grace@example.org", "a long enough secret")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username or email").fill("grace@example.org")
    page.get_by_label("Password").fill("a long enough secret")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("navigation").get_by_role("link", name="grace").is_visible()

    page.get_by_role("link", name="Submit").click()
    page.get_by_label("arXiv id or link").fill("https://arxiv.org/abs/2606.00003v1")
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(live_server + "/papers/2606.00003")
    assert "grace" in page.locator("dl.dates").inner_text()  # credited

    page.goto(live_server + "/papers/trending")
    assert page.locator("article.card h2").all_inner_texts() == ["Loud paper", "Fresh preprint"]
    fresh = page.locator("article.card", has_text="Fresh preprint")
    page.evaluate("window.notReloaded = true")
    fresh.get_by_role("button", name="upvote").click()
    expect(fresh.locator(".count")).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True  # updated in place
    fresh.get_by_role("button", name="upvote").click()  # and back
    expect(fresh.locator(".count")).to_have_text("0")
    fresh.get_by_role("button", name="upvote").click()
    expect(fresh.locator(".count")).to_have_text("1")

    fresh.locator("h2 a").click()
    page.get_by_label("Comment (Markdown)").fill("Worth reading for **section 3**.")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url("**/papers/2606.00003#c*")
    assert page.locator("article.comment strong").inner_text() == "section 3"

    page.goto(live_server + "/papers/trending")  # submitted later, same votes: it rises
    assert page.locator("article.card h2").all_inner_texts() == ["Fresh preprint", "Loud paper"]
    page.get_by_role("navigation").get_by_role("link", name="grace").click()
    assert "Fresh preprint" in page.locator("main").inner_text()
    assert errors == []


def test_comment_with_script_and_onerror_never_runs(browser, live_server, sessions, settings):
    store_records(sessions, record(arxiv_id="2606.00001", title="Discussed paper"))
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_up(page, live_server, settings, "mallory", "mallory@example.org", "another long secret")
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
