"""One session per request: GETs never write, other methods commit once after the route, a failed
route rolls back, only storage trouble is a 503, and no database route blocks the event loop."""

from __future__ import annotations

import inspect

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import event, func, select, text

from dailypapers.db.models import RateEvent
from dailypapers.web import deps
from dailypapers.web.deps import DbSession
from tests.community.test_accounts import signup, token
from tests.community.test_votes import vote
from tests.factories import record, store_records


def _add_probe_routes(app: FastAPI) -> None:
    def write(session: DbSession) -> dict[str, int]:
        session.add(RateEvent(key="probe"))
        session.flush()
        return {"ok": 1}

    def fail(session: DbSession) -> None:
        session.add(RateEvent(key="probe"))
        session.flush()
        raise RuntimeError("a bug after a write")

    def bad_sql(session: DbSession) -> None:
        session.execute(text("SELECT no_such_column FROM papers"))

    app.add_api_route("/probe/write", write, methods=["GET", "POST"])
    app.add_api_route("/probe/fail", fail, methods=["POST"])
    app.add_api_route("/probe/bad-sql", bad_sql, methods=["GET"])


def _probes(sessions) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).where(RateEvent.key == "probe")) or 0


def test_get_never_writes_post_commits_once_and_a_failure_rolls_back(app, client, sessions):
    _add_probe_routes(app)
    assert client.get("/probe/write").status_code == 200
    assert _probes(sessions) == 0  # a GET's session is rolled back
    assert client.post("/probe/write").status_code == 200
    assert _probes(sessions) == 1
    client_no_raise = type(client)(app, raise_server_exceptions=False)
    assert client_no_raise.post("/probe/fail").status_code == 500
    assert _probes(sessions) == 1  # the failed route's write is gone


def test_a_database_bug_is_a_500_not_a_storage_503(app, sessions):
    _add_probe_routes(app)
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/probe/bad-sql", headers={"Accept": "application/json"})
    assert answer.status_code == 500
    assert "retry-after" not in answer.headers
    assert "Cannot save" not in answer.text


def test_a_vote_is_one_session_and_few_statements(app, client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001", upvotes=5))
    signup(client)
    token(client)
    statements: list[str] = []
    opened: set[int] = set()

    def count(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(statement.split()[0].upper())

    def began(session, transaction, connection):  # noqa: ANN001
        opened.add(id(session))

    event.listen(app.state.engine, "before_cursor_execute", count)
    event.listen(app.state.sessions, "after_begin", began)
    try:
        assert vote(client, "2606.00001").json() == {"voted": True, "votes": 6}
    finally:
        event.remove(app.state.engine, "before_cursor_execute", count)
        event.remove(app.state.sessions, "after_begin", began)
    assert len(opened) == 1, "a vote uses the request's one session"
    # reader, paper (+ its authors), rate limit (delete, count, insert), vote, counter update
    assert len(statements) <= 8, statements


def _uses_db(dependant: Dependant) -> bool:
    return any(d.call is deps.db or _uses_db(d) for d in dependant.dependencies)


def _api_routes(routes: list[object]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router
            found += _api_routes(route.original_router.routes)
    return found


def test_routes_that_touch_the_database_run_in_threads_not_on_the_event_loop(app):
    routes = [r for r in _api_routes(app.routes) if _uses_db(r.dependant)]
    assert len(routes) > 20
    blocking = [r.path for r in routes if inspect.iscoroutinefunction(r.endpoint)]
    assert blocking == []
