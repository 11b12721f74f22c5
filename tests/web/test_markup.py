"""The HTML a signed-in reader gets is the HTML the browser builds: no element the parser would
move. A <form> (or another block) opened inside a <p> makes the browser close the paragraph
there, so the buttons after it fall out of their row and an empty paragraph is left behind."""

import datetime as dt
from html.parser import HTMLParser

from dailypapers.db.models import User, utcnow
from tests.community.test_accounts import signup, token
from tests.factories import record, store_records

# Elements whose start tag closes an open <p> (HTML's "in body" insertion mode), the usual ones.
CLOSES_P = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol",
    "p", "pre", "section", "table", "ul",
}  # fmt: skip
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.moved: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CLOSES_P and "p" in self.open:
            where = " > ".join(self.open[-3:])
            self.moved.append(f"<{tag} {dict(attrs).get('class') or ''}> inside {where}")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass


def moved_by_the_parser(html: str) -> list[str]:
    checker = _Nesting()
    checker.feed(html)
    return checker.moved


def test_the_checker_finds_a_form_in_a_paragraph():
    assert moved_by_the_parser('<p class="meta"><a>x</a><form><button>Save</button></form></p>')
    assert not moved_by_the_parser('<div class="meta"><form><button>Save</button></form></div>')
    assert not moved_by_the_parser("<p>a<br><img src=x>b</p><form></form>")


ANONYMOUS = [
    "/", "/papers?week=2026-W24", "/papers/trending", "/search?q=protein+diffusion",
    "/papers/2606.00051", "/authors/Grace%20Hopper", "/arxiv?date=2026-06-10", "/subscribe",
    "/signup", "/login", "/papers/2699.99999",
]  # fmt: skip


def test_a_readers_pages_keep_their_forms_where_they_are_written(client, sessions, search):
    yesterday = utcnow().date() - dt.timedelta(days=1)
    store_records(
        sessions,
        record(arxiv_id="2606.00051", title="Protein folding with diffusion",
               authors=("Grace Hopper",), organization="Hopper Lab"),
        record(arxiv_id="2606.00052", title="Diffusion for protein design",
               authors=("Grace Hopper", "Alan Turing")),
        record(arxiv_id="2606.00053", title="Fresh on arXiv", feed_date=None,
               published_at=dt.datetime.combine(yesterday, dt.time(12))),
    )  # fmt: skip
    search.catch_up(embed_limit=None)
    anonymous = {url: moved_by_the_parser(client.get(url).text) for url in ANONYMOUS}
    assert {url: found for url, found in anonymous.items() if found} == {}
    assert signup(client).status_code == 303
    with sessions() as session:  # a moderator sees every control there is
        session.query(User).filter_by(username="ada").one().is_moderator = True
        session.commit()
    csrf = token(client)
    for url, form in [
        ("/papers/2606.00051/save", {"action": "save"}),
        ("/collections", {"name": "Folding", "public": "true"}),
        ("/papers/2606.00051/collect", {"collection": "1", "action": "add"}),
        ("/papers/2606.00051/comments", {"body": "Nice *work*"}),
    ]:
        done = client.post(url, data={"csrf_token": csrf, **form}, follow_redirects=False)
        assert done.status_code in (200, 303), (url, done.text[:300])
    paper = client.get("/papers/2606.00051").text
    assert "Nice <em>work</em>" in paper and "/comments/1/delete" in paper and "/hide" in paper
    assert "/papers/2606.00051" in client.get("/collections/1").text
    assert "Submit to today" in client.get(f"/arxiv?date={yesterday}").text
    pages = [
        "/", "/papers?date=2026-06-10", "/papers?week=2026-W24", "/papers/trending",
        "/search?q=protein+diffusion", "/papers/2606.00051", "/authors/Grace%20Hopper",
        "/organizations/Hopper%20Lab", "/reading-list", "/collections", "/collections/1",
        "/following", "/for-you", "/users/ada", "/admin", f"/arxiv?date={yesterday}",
        "/submit", "/subscribe",
    ]  # fmt: skip
    moved = {}
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        moved[url] = moved_by_the_parser(page.text)
    assert {url: found for url, found in moved.items() if found} == {}
