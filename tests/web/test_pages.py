"""HTML pages through the in-process client on a temp SQLite store."""

import datetime as dt
import re

from tests.factories import record, store_records

MON, FRI = dt.date(2026, 6, 8), dt.date(2026, 6, 12)


def test_empty_instance_explains_how_to_load_papers(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "dailypapers demo" in page.text


def test_home_shows_latest_day_with_links_to_previous(client, sessions):
    store_records(
        sessions,
        record(title="Monday paper", feed_date=MON),
        record(
            title="Friday paper",
            feed_date=FRI,
            upvotes=42,
            num_comments=7,
            github_repo="https://github.com/a/b",
        ),
    )
    page = client.get("/").text
    assert "Friday, 12 June 2026" in page and "Friday paper" in page
    assert "Monday paper" not in page
    assert 'href="/papers?date=2026-06-08" rel="prev"' in page
    assert "42" in page and "7 comments" in page and "https://github.com/a/b" in page
    monday = client.get("/papers?date=2026-06-08").text
    assert "Monday paper" in monday and 'href="/papers?date=2026-06-12" rel="next"' in monday


def test_week_and_month_views_chart_papers_per_day(client, sessions):
    store_records(sessions, record(feed_date=MON), record(feed_date=FRI), record(feed_date=FRI))
    month = client.get("/papers?month=2026-06")
    assert month.status_code == 200
    assert month.text.count('class="bar"') == 30
    assert "<svg" in month.text and "3 papers" in month.text
    week = client.get("/papers?week=2026-W24")
    assert week.text.count('class="bar"') == 7
    assert client.get("/papers?view=month", follow_redirects=False).headers["location"] == (
        "/papers?month=2026-06"
    )


def test_paper_page_escapes_html_and_keeps_latex(client, sessions):
    store_records(
        sessions,
        record(
            arxiv_id="2606.00042",
            title="<script>alert(1)</script> Attention",
            abstract="We show $a<b$ and \\textbf{bold} <img src=x onerror=alert(2)>",
            authors=("Émile <b>Borel</b>",),
            github_repo="https://github.com/x/y",
        ),
    )
    page = client.get("/papers/2606.00042")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert "$a&lt;b$ and \\textbf{bold}" in page.text
    assert "<img src=x" not in page.text and "<b>Borel" not in page.text
    assert 'href="https://arxiv.org/abs/2606.00042"' in page.text
    assert 'href="https://arxiv.org/pdf/2606.00042"' in page.text
    assert "12 Jun" not in page.text  # no stray dates: this one is on 10 June
    assert "10 Jun 2026" in page.text
    # a version suffix finds the same paper
    assert client.get("/papers/2606.00042v2").status_code == 200


def test_unknown_and_bad_inputs_get_clear_4xx_pages(client, sessions):
    store_records(sessions, record(feed_date=MON))
    missing = client.get("/papers/2101.00001")
    assert missing.status_code == 404 and "not in this instance" in missing.text
    # ... with the way to it: arXiv's page, and submitting it here (canonical id, no version)
    missing = client.get("/papers/2101.00001v3")
    assert 'href="https://arxiv.org/abs/2101.00001"' in missing.text
    assert 'href="/submit?paper=2101.00001"' in missing.text
    nonsense = client.get("/papers/%3Cscript%3E")
    assert nonsense.status_code == 404 and "arxiv.org/abs" not in nonsense.text
    bad = client.get("/papers?date=2026-02-30")
    assert bad.status_code == 400 and "no such date" in bad.text
    assert client.get("/papers?week=2026-W24&month=2026-06").status_code == 400
    assert client.get("/papers?date=2026-06-08&page=0").status_code == 422
    assert client.get("/papers?date=2026-06-08&sort=evil").status_code == 200


def test_pagination_on_a_busy_month(client, sessions, settings):
    store_records(sessions, *[record(feed_date=MON) for _ in range(settings.page_size + 3)])
    first = client.get("/papers?month=2026-06").text
    assert "page 1 of 2" in first
    second = client.get("/papers?month=2026-06&sort=upvotes&page=2").text
    assert len(re.findall(r'<article class="card">', second)) == 3


def test_security_headers_on_pages_api_and_errors(client):
    for url in ("/", "/api/daily_papers", "/papers/2101.00001", "/static/style.css"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_empty_category_says_how_to_fill_it(client, sessions):
    store_records(sessions, record(feed_date=MON))
    page = client.get("/papers", params={"category": "cs.CL"})
    assert page.status_code == 200
    assert "No papers in cs.CL yet" in page.text and "sync --only enrich" in page.text
    assert 'href="/arxiv?category=cs.CL"' in page.text
    assert client.get("/papers", params={"category": "<script>"}).status_code == 400
