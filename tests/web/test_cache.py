"""The short cache of anonymous API/feed answers: reused for strangers, never for a signed-in
reader or a script with a token, and never holding a cookie."""

from fastapi.testclient import TestClient

from dailypapers.community import services
from dailypapers.community.store import CommunityStore
from dailypapers.web.app import create_app
from tests.factories import record, store_records


def test_anonymous_answers_are_reused_for_a_few_seconds(settings, engine, search, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", upvotes=5))
    with sessions() as session:
        user = CommunityStore(session).add_user("ada", "ada@example.org", "x")
        token = services.issue_api_token(user)
        session.commit()
    app = create_app(settings.model_copy(update={"cache_seconds": 60}), search=search)
    with TestClient(app) as client:
        first = client.get("/api/daily_papers")
        assert first.headers["cache-control"] == "public, max-age=60"
        assert "set-cookie" not in first.headers
        assert first.headers["x-content-type-options"] == "nosniff"  # security headers kept
        auth = {"Authorization": f"Bearer {token}"}
        voted = client.post("/api/papers/2606.00001/vote", headers=auth)
        assert voted.json()["votes"] == 6
        stale = client.get("/api/daily_papers")
        assert stale.json()[0]["paper"]["upvotes"] == first.json()[0]["paper"]["upvotes"] == 5
        assert stale.headers["x-content-type-options"] == "nosniff"
        fresh = client.get("/api/daily_papers", headers=auth)  # a script with a token
        assert fresh.json()[0]["paper"]["upvotes"] == 6 and "cache-control" not in fresh.headers
        other = client.get("/api/daily_papers?limit=1")  # another URL is another entry
        assert other.json()[0]["paper"]["upvotes"] == 6
    app.state.engine.dispose()


def test_anonymous_pages_are_cached_and_signed_in_readers_never_see_anothers(
    settings, engine, search, sessions
):
    """Pages anonymous readers see carry no token and set no cookie, so they are cached; a
    signed-in reader always gets their own page; a page holding some browser's token is never
    kept for anyone else."""
    from tests.community.test_accounts import signup

    store_records(sessions, record(arxiv_id="2606.00001", title="Cached paper", upvotes=5))
    app = create_app(settings.model_copy(update={"cache_seconds": 60}), search=search)
    with TestClient(app) as stranger, TestClient(app) as ada, TestClient(app) as bob:
        first = stranger.get("/papers?date=2026-06-10")
        assert first.status_code == 200 and "set-cookie" not in first.headers
        assert first.headers["cache-control"] == "public, max-age=60"
        assert "Cookie" in first.headers["vary"] and "csrf" not in first.text
        assert 'href="/login?next=/papers/2606.00001"' in first.text  # sign in to vote or save

        signup(ada)  # "ada" signs up and upvotes: her page is her own, at once
        token = ada.cookies["dp_csrf"]
        ada.post("/papers/2606.00001/vote", data={"csrf_token": token})
        mine = ada.get("/papers?date=2026-06-10")
        assert 'href="/users/ada"' in mine.text and 'aria-pressed="true"' in mine.text
        assert "cache-control" not in mine.headers or "public" not in mine.headers["cache-control"]
        again = stranger.get("/papers?date=2026-06-10")  # the stranger: the kept page
        assert again.text == first.text and "ada" not in again.text
        signup(bob, "bob", "bob@example.org")
        theirs = bob.get("/papers?date=2026-06-10").text
        assert 'href="/users/bob"' in theirs and "/users/ada" not in theirs
        assert 'aria-pressed="true"' not in theirs  # ada's vote button is not bob's

        # a browser that holds a CSRF token (it opened a form) but no session: if a page ever
        # carried its token, that page would not be kept for others
        curious = TestClient(app)
        curious.get("/login")
        held = curious.cookies["dp_csrf"]
        assert held not in curious.get("/papers?date=2026-06-10").text
        for path in ("/", "/search?q=cached", "/papers/2606.00001", "/papers/trending"):
            answer = stranger.get(path)
            assert answer.status_code == 200 and "set-cookie" not in answer.headers, path
            assert answer.headers.get("cache-control") == "public, max-age=60", path
        login_page = stranger.get("/login")  # forms: a token, a cookie, never kept
        assert "set-cookie" in login_page.headers and "public" not in login_page.headers.get(
            "cache-control", ""
        )
        curious.close()
    app.state.engine.dispose()


def test_a_body_holding_the_browsers_csrf_token_is_never_kept():
    """The safety net under the templates: whatever a page does, an answer that contains the
    asking browser's token is served to that browser only."""
    import asyncio

    from dailypapers.web.middleware import AnonymousCache

    served = []

    async def page(scope, receive, send):
        cookie = dict(scope["headers"]).get(b"cookie", b"")
        served.append(cookie)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"<form>" + cookie + b"</form>"})

    cache = AnonymousCache(page, seconds=60, prefixes=("/papers",))

    def get(cookie: bytes) -> bytes:
        scope = {"type": "http", "method": "GET", "path": "/papers", "query_string": b"",
                 "headers": [(b"cookie", cookie)] if cookie else []}  # fmt: skip
        out = []

        async def send(message):
            out.append(message)

        asyncio.run(cache(scope, None, send))
        return out[-1]["body"]

    token = b"dp_csrf=" + b"t" * 40
    assert b"t" * 40 in get(token)
    assert get(b"") == b"<form></form>" and len(served) == 2  # not the token holder's page
    assert get(b"") == b"<form></form>" and len(served) == 2  # the stranger's page, kept


def test_signed_in_readers_share_cards_but_each_sees_their_own_buttons(
    settings, engine, search, sessions
):
    """A feed page's cards are rendered once for every signed-in reader; each reader's vote and
    save buttons, the vote counts and the CSRF token are theirs and fresh on every request."""
    from sqlalchemy import update

    from dailypapers.db.models import Paper
    from tests.community.test_accounts import signup

    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Shared card", upvotes=5),
        record(arxiv_id="2606.00002", title="Other card", upvotes=1),
    )
    app = create_app(settings.model_copy(update={"cache_seconds": 60}), search=search)
    with TestClient(app) as ada, TestClient(app) as bob:
        signup(ada)
        signup(bob, "bob", "bob@example.org")
        page = "/papers?date=2026-06-10"
        assert "Shared card" in bob.get(page).text  # bob's request fills the shared cards
        with sessions() as session:  # a change another way: shared cards keep it a while
            session.execute(update(Paper).values(title="Renamed card"))
            session.commit()
        ada.post("/papers/2606.00001/vote", data={"csrf_token": ada.cookies["dp_csrf"]})
        ada.post("/papers/2606.00002/save", data={"csrf_token": ada.cookies["dp_csrf"]})
        hers, his = ada.get(page).text, bob.get(page).text
        for text in (hers, his):
            assert "Shared card" in text and "Renamed card" not in text  # one rendering
            assert '<span class="count">6</span>' in text  # ada's vote counted at once
            assert "<!--dp:" not in text  # every hole filled
        assert hers.count('aria-pressed="true"') == 2  # her vote and her save
        assert 'value="down"' in hers and "Saved ✓</button>" in hers
        assert 'aria-pressed="true"' not in his and 'value="down"' not in his
        assert ada.cookies["dp_csrf"] in hers and ada.cookies["dp_csrf"] not in his
        assert bob.cookies["dp_csrf"] in his and bob.cookies["dp_csrf"] not in hers
        assert 'href="/users/ada"' in hers and 'href="/users/ada"' not in his
    app.state.engine.dispose()
    fresh = create_app(settings, search=search)  # cache_seconds=0: nothing is shared
    with TestClient(fresh) as carol:
        signup(carol, "carol", "carol@example.org")
        assert "Renamed card" in carol.get("/papers?date=2026-06-10").text
    fresh.state.engine.dispose()
