"""What a new user hit in the first hour (issue 14): author names, comment counts that agree,
the paper page's layout, Markdown tables and math in comments."""

import re

from dailypapers.community.markdown import render
from tests.community.test_accounts import signup, token
from tests.factories import record, store_records
from tests.web.test_search import indexed  # noqa: F401 - the fixture


def test_an_author_query_puts_their_papers_first_in_every_mode(client, sessions, search):
    store_records(
        sessions,
        record(arxiv_id="2606.00011", title="Tabular anomaly detection",
               authors=("Tomas Pfister",)),
        record(arxiv_id="2606.00012", title="Retrieval for code agents",
               authors=("Ada Lovelace", "Tomas Pfister")),
        record(arxiv_id="2606.00013", title="On the work of Tomas Pfister",
               abstract="Tomas Pfister Tomas Pfister Tomas Pfister: a survey of his papers."),
    )  # fmt: skip
    search.catch_up(embed_limit=None)
    for mode in ("hybrid", "lexical", "semantic"):
        for q in ("Tomas Pfister", '"tomas pfister"'):
            found = client.get("/api/papers/search", params={"q": q, "mode": mode}).json()
            top = {item["paper"]["id"] for item in found[:2]}
            assert top == {"2606.00011", "2606.00012"}, (mode, q, found[:3])


def test_author_names_link_to_their_papers(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00021", authors=("Tomas Pfister", "Zoë <b>")))
    link = 'href="/authors/Tomas%20Pfister"'
    assert link in client.get("/papers").text
    page = client.get("/papers/2606.00021").text
    assert link in page and "Zoë &lt;b&gt;" in page  # names are escaped


def test_comment_counts_agree_on_card_page_and_api(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00031", num_comments=2))  # 2 on Hugging Face
    signup(client)
    for body in ("first", "second"):
        client.post("/papers/2606.00031/comments", data={"body": body, "csrf_token": token(client)})

    def shown():
        card = re.search(r"(\d+) comments?</a>", client.get("/papers").text).group(1)
        page = client.get("/papers/2606.00031").text
        head = re.search(r'class="comments" href="#comments">(\d+) comment', page).group(1)
        api = client.get("/api/papers/2606.00031").json()
        daily = client.get("/api/daily_papers").json()[0]
        return int(card), int(head), api["numComments"], daily["numComments"], page, api

    card, head, api_count, daily_count, page, api = shown()
    assert card == head == api_count == daily_count == 4
    assert api["communityComments"] == 2 and "2 more comments" in page and "on Hugging Face" in page
    # deleting one here changes every count at once
    comment_id = re.search(r'action="/comments/(\d+)/delete"', page).group(1)
    client.post(f"/comments/{comment_id}/delete", data={"csrf_token": token(client)})
    assert shown()[:4] == (3, 3, 3, 3)


def test_a_paper_without_comments_here_says_so_under_the_source_count(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00041", num_comments=3))
    page = client.get("/papers/2606.00041").text
    assert "No comments here yet." in page and "3 more comments" in page
    assert "No comments yet." not in page


def test_paper_page_lays_out_like_a_card(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00051", github_repo="https://github.com/x/y"))
    page = client.get("/papers/2606.00051").text
    start = page.index('<header class="paper-head">')
    head = page[start : page.index("</header>", start)]
    assert head.index('class="votes"') < head.index("<h1>")  # the vote box beside the title
    meta = head[head.index('<p class="meta">') :]
    assert all(word in meta for word in ("comment", "arXiv abs", "PDF", "GitHub"))


def test_comments_render_tables_and_keep_math_readable():
    text = "Loss $L = \\sum_i a_i * b_i$ costs 5$ and 6$.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    html = render(text)
    assert '<span class="math inline">L = \\sum_i a_i * b_i</span>' in html
    assert "<em>" not in html  # the * and _ inside math are not emphasis
    assert "5$ and 6$" in html  # prices stay prose
    assert "<table>" in html and "<td>2</td>" in html
    assert '<span class="evil"' not in render('<span class="evil">x</span>')  # shown as text


def test_a_category_that_matches_nothing_says_why(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00061", title="Uncategorised paper"))
    answer = client.get("/api/papers/search", params={"q": "paper", "category": "cs.CL"})
    assert answer.json() == []
    assert "No paper here has arXiv categories yet" in answer.headers["x-search-notes"]
    page = client.get("/search", params={"q": "paper", "category": "cs.CL"}).text
    assert "sync --only enrich" in page
    subscribed = client.post(
        "/api/subscriptions", json={"email": "ada@example.org", "categories": ["cs.CL", "cs.LG"]}
    )
    assert subscribed.status_code == 202
    assert "a category matches nothing until then" in subscribed.json()["message"]
    # once papers have categories, an unknown one is named
    store_records(sessions, record(arxiv_id="2606.00062", categories="cs.LG stat.ML"))
    named = client.post(
        "/api/subscriptions", json={"email": "bob@example.org", "categories": ["cs.CL", "cs.LG"]}
    )
    assert "No paper here is in cs.CL yet." in named.json()["message"]
    words = client.post("/api/subscriptions", json={"email": "eve@example.org"})
    assert "categor" not in words.json()["message"]
