"""Subscribe, open the confirmation mail's link, confirm, then change the digest, in Chromium."""

import time

import pytest
from sqlalchemy import select

from dailypapers.db.models import Subscriber
from tests.conftest import with_smtp
from tests.digest.helpers import links, path

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings, smtp):
    return with_smtp(settings, smtp)


def wait_for_mail(smtp, address, count=1, timeout=10):
    deadline = time.monotonic() + timeout
    while len(smtp.sink.to(address)) < count:
        assert time.monotonic() < deadline, f"no mail for {address}"
        time.sleep(0.05)
    return smtp.sink.to(address)[-1]


def test_subscribe_confirm_and_manage(browser, live_server, smtp, sessions):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + "/")
    page.get_by_role("link", name="Subscribe").first.click()
    page.get_by_label("Email").fill("reader@example.org")
    page.get_by_label("Weekly").check()
    page.get_by_text("Interests (optional)").click()
    page.get_by_label("Keywords, one per line").fill("diffusion models\nprotein folding")
    page.get_by_role("button", name="Subscribe").click()
    assert "confirmation link" in page.locator("#subscribe-result").inner_text()

    mail = wait_for_mail(smtp, "reader@example.org")
    [confirm_url] = links(mail, "/subscribe/confirm/")
    page.goto(live_server + path(confirm_url))
    with sessions() as session:  # opening the link alone confirms nothing
        status = session.scalar(select(Subscriber.status))
    assert status == "pending"
    page.get_by_role("button", name="Confirm").click()
    assert "Confirmed" in page.locator("#flash").inner_text()
    assert page.locator("#status").inner_text() == "active"
    assert page.get_by_label("Weekly").is_checked()
    assert page.get_by_label("Keywords, one per line").input_value() == (
        "diffusion models\nprotein folding"
    )

    page.get_by_label("Daily, on weekdays").check()
    page.get_by_label("Authors to follow, one per line").fill("Grace Hopper")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#flash").inner_text() == "Saved."
    page.reload()
    assert page.get_by_label("Daily, on weekdays").is_checked()
    assert page.get_by_label("Authors to follow, one per line").input_value() == "Grace Hopper"

    page.get_by_role("link", name="Unsubscribe").click()
    page.get_by_role("button", name="Unsubscribe").click()
    assert "no more digests" in page.locator("#unsubscribed").inner_text()
    with sessions() as session:
        row = session.scalar(select(Subscriber))
    assert (row.status, row.frequency, row.authors) == ("unsubscribed", "daily", "Grace Hopper")
    assert errors == []
