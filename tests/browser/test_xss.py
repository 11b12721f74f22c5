"""Hostile text in every field a page shows, rendered in real Chromium: no script ever runs."""

import pytest

from dailypapers.community import comments, services
from dailypapers.papers.store import PaperStore
from tests.factories import record, store_records

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>alert('s1')</script>",
    "<img src=x onerror=\"alert('s2')\">",
    "<svg/onload=alert('s3')>",
    "<a href=\"javascript:alert('s4')\">click</a>",
    "$x<y$ and $a>b$ <iframe src=javascript:alert('s5')>",
    '"><script>alert("s6")</script>',
    "</title><script>alert('s7')</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('s8')>",
]


def test_no_payload_executes_anywhere(browser, live_server, sessions):
    store_records(
        sessions,
        *[
            record(arxiv_id=f"2606.{i + 1:05d}", title=f"Paper {i} {p}",
                   abstract=f"About {p} here.", authors=(p, "Plain Author"))
            for i, p in enumerate(PAYLOADS)
        ],
    )  # fmt: skip
    with sessions() as session:
        user = services.sign_up(session, "eve", "eve@example.org", "a long enough secret")
        paper_id = PaperStore(session).get("2606.00001").id
        for payload in PAYLOADS:
            comments.add_comment(session, user, paper_id, payload)
        session.commit()
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    urls = ["/", "/papers?month=2026-06", "/papers/2606.00001", "/papers/2606.00005",
            "/papers/trending", "/users/eve", "/search?q=script+alert",
            "/search?q=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E"]  # fmt: skip
    for url in urls:
        page.goto(live_server + url)
        for link in page.locator("a[href^='javascript:']").all():
            pytest.fail(f"a javascript: link on {url}: {link.inner_text()}")
    page.goto(live_server + "/papers/2606.00001")
    assert page.locator("article.comment").count() == len(PAYLOADS)
    assert dialogs == []
