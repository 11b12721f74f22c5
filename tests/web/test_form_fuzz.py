"""Every route the OpenAPI schema leaves out (the HTML pages and their forms), with out-of-range and
malformed values in every path, query and form field, as a signed-in moderator with a valid CSRF
token: no answer is a server error. schemathesis (`make check-security`) does the same for the
API; this covers the rest, and grows with the app since it walks its routers."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute

from dailypapers.community.services import sign_up
from dailypapers.web.app import ROUTERS
from tests.community.test_accounts import GOOD, login, token
from tests.factories import record, store_records

NASTY = (
    "0", "-1", "2147483648", "9223372036854775808", "1e309", "99999999999999999999999",
    "9999-W52", "0000-00-00", "9999-12-31", "2606.00001v99", "x" * 500, "\u00e9\u0000",
    "%00", "../../etc/passwd", "<script>", "",
)  # fmt: skip


def hidden_routes():
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and not route.include_in_schema:
                for method in sorted(route.methods):
                    yield method, route


def fields(dependant, kind, found=None):
    found = {} if found is None else found
    for param in getattr(dependant, kind):
        found[param.alias] = param
    for sub in dependant.dependencies:
        fields(sub, kind, found)
    return found


@pytest.fixture
def moderator(client, sessions):
    store_records(sessions, record(arxiv_id="2606.00001"))
    with sessions() as session:
        sign_up(session, "ada", "ada@example.org", GOOD).is_moderator = True
        session.commit()
    assert login(client).status_code == 303
    return client


def test_no_form_or_page_answers_a_server_error(moderator):
    client, failures, statuses = moderator, [], {}
    routes = sorted(hidden_routes(), key=lambda r: r[1].path == "/logout")  # sign out last
    for method, route in routes:
        for value in NASTY:
            url = re.sub(r"\{[^}]+\}", quote(value, safe="") or "x", route.path)
            query = {name: value for name in fields(route.dependant, "query_params")}
            form = {name: value for name in fields(route.dependant, "body_params")}
            form["csrf_token"] = token(client)
            if method == "GET":
                answer = client.get(url, params=query)
            else:
                answer = client.request(method, url, params=query, data=form)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            if answer.status_code >= 500:
                failures.append(f"{method} {url} {query or ''} {form}: {answer.status_code}")
    # signed in with a valid token, most requests reach the route (not 401/403 at the door)
    assert sum(statuses.values()) > 300 and statuses.get(200, 0) > 100, statuses
    assert not failures, "\n".join(failures[:20])
