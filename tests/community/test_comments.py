"""Comments, moderation, submissions and rate limits through the in-process client."""

import datetime as dt

import pytest

from dailypapers.common import ratelimit
from dailypapers.community.markdown import render
from dailypapers.community.store import CommunityStore
from dailypapers.db.models import utcnow
from tests.community.test_accounts import login, signup, token
from tests.factories import record, store_records

XSS = (
    '<script>alert(1)</script> <img src=x onerror="alert(2)"> [a](javascript:alert(3)) '
    "<svg onload=alert(4)> **bold** [arXiv](https://arxiv.org)"
)


def test_markdown_is_rendered_safely():
    html = render(XSS)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert "javascript:" not in html.replace("(javascript:alert(3))", "")
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://arxiv.org" rel="nofollow noopener ugc">arXiv</a>' in html


def comment(client, arxiv_id, body, **extra):
    data = {"body": body, "csrf_token": token(client), **extra}
    return client.post(f"/papers/{arxiv_id}/comments", data=data, follow_redirects=False)


def test_comment_reply_edit_delete(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", num_comments=2))
    assert comment(client, "2606.00001", "hi").status_code == 401
    signup(client)
    first = comment(client, "2606.00001", XSS)
    assert first.status_code == 303 and first.headers["location"].startswith("/papers/2606.00001#c")
    first_id = int(first.headers["location"].split("#c")[1])
    reply = comment(client, "2606.00001", "a *reply*", parent_id=str(first_id))
    reply_id = int(reply.headers["location"].split("#c")[1])
    nested = comment(client, "2606.00001", "reply to a reply", parent_id=str(reply_id))
    assert nested.status_code == 303
    page = client.get("/papers/2606.00001").text
    discussion = page.split('id="comments"')[1]
    assert "<script" not in discussion and "<img" not in discussion and "<svg" not in discussion
    assert "&lt;img src=x onerror" in discussion  # shown as text, never as markup
    assert "<em>reply</em>" in page and page.count('class="replies"') == 1
    assert "5 comments" in client.get("/papers?date=2026-06-10").text  # 2 from HF + 3 here
    edit = client.post(
        f"/comments/{first_id}/edit", data={"body": "better", "csrf_token": token(client)}
    )
    assert edit.status_code == 200 and "better" in edit.text and "edited" in edit.text
    client.post(f"/comments/{reply_id}/delete", data={"csrf_token": token(client)})
    assert "[deleted]" in client.get("/papers/2606.00001").text


def test_only_authors_edit_and_only_moderators_hide(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", title="Visible paper"))
    signup(client)
    comment_id = int(
        comment(client, "2606.00001", "a note to hide").headers["location"].split("#c")[1]
    )
    client.post("/logout", data={"csrf_token": token(client)})
    signup(client, username="eve", email="eve@example.org")
    forged = client.post(
        f"/comments/{comment_id}/edit", data={"body": "x", "csrf_token": token(client)}
    )
    assert forged.status_code == 403
    hide = client.post(f"/comments/{comment_id}/hide", data={"csrf_token": token(client)})
    assert hide.status_code == 403
    with sessions() as session:
        CommunityStore(session).user_by_name("eve").is_moderator = True
        session.commit()
    client.post(f"/comments/{comment_id}/hide", data={"csrf_token": token(client)})
    client.post("/papers/2606.00001/hide", data={"csrf_token": token(client)})
    assert "Visible paper" not in client.get("/papers?date=2026-06-10").text
    assert client.get("/api/papers/search", params={"q": "visible", "mode": "lexical"}).json() == []
    assert client.post("/users/ada/ban", data={"csrf_token": token(client)}).status_code == 200
    client.post("/logout", data={"csrf_token": token(client)})
    assert login(client).status_code == 400  # banned users cannot sign in
    anonymous = client.__class__(client.app).get("/papers/2606.00001").text
    assert "a note to hide" not in anonymous  # hidden from readers


def test_submit_rules(client, sessions):
    today = utcnow().date()
    fresh = dt.datetime.combine(today - dt.timedelta(days=3), dt.time())
    old = dt.datetime.combine(today - dt.timedelta(days=30), dt.time())
    store_records(
        sessions,
        record(arxiv_id="2606.00001", published_at=fresh, feed_date=None),
        record(arxiv_id="2606.00002", published_at=old, feed_date=None),
        record(arxiv_id="2606.00003", published_at=fresh),
    )
    assert "Sign in" in client.get("/submit").text and "last 14 days" in client.get("/submit").text
    signup(client)
    submit = lambda paper: client.post(  # noqa: E731
        "/submit", data={"paper": paper, "csrf_token": token(client)}, follow_redirects=False
    )
    assert submit("https://arxiv.org/abs/2606.00001v2").headers["location"] == "/papers/2606.00001"
    page = client.get(f"/papers?date={today.isoformat()}").text
    assert "2606.00001" in page
    assert "already on the feed" in submit("2606.00001").text
    assert "already on the feed" in submit("2606.00003").text
    assert "last 14 days" in submit("2606.00002").text
    assert "Give an arXiv id" in submit("not a paper").text


def test_rate_limits_answer_429_with_retry_after(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001"))
    signup(client)
    limit = ratelimit.LIMITS["comment"].count
    for i in range(limit):
        assert comment(client, "2606.00001", f"comment {i}").status_code == 303
    blocked = comment(client, "2606.00001", "one too many")
    assert blocked.status_code == 429
    assert "at most 10 comments per 10 minutes" in blocked.text
    assert 0 < int(blocked.headers["retry-after"]) <= 600


def test_rate_limit_window_slides(sessions):
    start = dt.datetime(2026, 1, 1, 12)
    with sessions() as session:
        for i in range(10):
            ratelimit.hit(session, "login", "1.2.3.4", now=start + dt.timedelta(seconds=i))
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.hit(session, "login", "1.2.3.4", now=start + dt.timedelta(minutes=1))
        ratelimit.hit(
            session, "login", "5.6.7.8", now=start + dt.timedelta(minutes=1)
        )  # others fine
        ratelimit.hit(
            session, "login", "1.2.3.4", now=start + dt.timedelta(minutes=16)
        )  # later fine


def test_submit_fetches_unknown_papers_from_arxiv(client, sessions, arxiv):
    from dailypapers.papers.store import PaperStore

    client.app.state.settings.arxiv_api_url = arxiv.url + "/api/query"
    signup(client)

    def submit(paper):
        data = {"paper": paper, "csrf_token": token(client)}
        return client.post("/submit", data=data, follow_redirects=False)

    too_old = submit("2104.12255v1")  # fetched from the (replayed) arXiv API: published 2021
    assert too_old.status_code == 400 and "last 14 days" in too_old.text
    with sessions() as session:
        assert PaperStore(session).get("2104.12255") is None  # nothing stored for a refusal
    missing = submit("0000.0000")
    assert missing.status_code == 400 and "arXiv has no paper 0000.0000" in missing.text
    assert any(q.get("id_list") == "2104.12255" for _, _, q in arxiv.log)
