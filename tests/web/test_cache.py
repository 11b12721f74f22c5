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
