"""The interactive API docs work on an instance without internet: Chromium may reach only the
test server, and Swagger UI and ReDoc still show every operation."""

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "operation"), [("/docs", ".opblock"), ("/redoc", "[data-section-id]")]
)
def test_docs_render_with_the_outside_world_blocked(browser, live_server, path, operation):
    page = browser.new_page()
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(live_server):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    page.route("**/*", only_local)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server + path)
    page.wait_for_selector(operation, timeout=15_000)
    assert page.locator(operation).count() > 10
    assert "/api/daily_papers" in page.content()
    assert outside == [] and errors == []
