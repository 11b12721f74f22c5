"""Atom and RSS feeds are well-formed and list the day's papers, most upvoted first."""

import datetime as dt
import xml.etree.ElementTree as ET

from tests.factories import record, store_records

ATOM = "{http://www.w3.org/2005/Atom}"
FRI = dt.date(2026, 6, 12)


def seed(sessions):
    store_records(
        sessions,
        record(title="Second & <b>bold</b>", feed_date=FRI, upvotes=5),
        record(title="First", feed_date=FRI, upvotes=50, abstract="Uses $x<y$."),
        record(title="Monday", feed_date=dt.date(2026, 6, 8)),
    )


def test_atom_feed(client, sessions):
    seed(sessions)
    response = client.get("/feeds/daily.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["First", "Second & <b>bold</b>"]
    entry = next(root.iter(f"{ATOM}entry"))
    assert entry.findtext(f"{ATOM}id").startswith("http://testserver/papers/2606.")
    assert entry.findtext(f"{ATOM}summary") == "Uses $x<y$."
    assert [a.findtext(f"{ATOM}name") for a in entry.iter(f"{ATOM}author")] == [
        "Ada Lovelace",
        "Alan Turing",
    ]


def test_rss_feed_for_a_given_day(client, sessions):
    seed(sessions)
    response = client.get("/feeds/daily.rss", params={"date": "2026-06-08"})
    assert response.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert [i.findtext("title") for i in channel.iter("item")] == ["Monday"]
    assert channel.find("item").findtext("guid").startswith("http://testserver/papers/")


def test_feeds_on_empty_instance_and_bad_date(client):
    assert ET.fromstring(client.get("/feeds/daily.atom").content).tag == f"{ATOM}feed"
    assert client.get("/feeds/daily.rss", params={"date": "nope"}).status_code == 400


def parsed(client, url, **params):
    import feedparser

    answer = client.get(url, params=params)
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, (url, feed.bozo_exception)  # what feed readers would complain of
    return feed


def self_link(feed):
    return next(link.href for link in feed.feed.links if link.rel == "self")


def test_feeds_name_themselves_keep_their_ids_and_link_entries_alike(client, sessions):
    seed(sessions)
    atom = parsed(client, "/feeds/daily.atom")
    rss = parsed(client, "/feeds/daily.rss")
    monday = parsed(client, "/feeds/daily.atom", date="2026-06-08")
    trending = parsed(client, "/feeds/trending.atom")
    assert self_link(atom) == "http://testserver/feeds/daily.atom"
    assert self_link(rss) == "http://testserver/feeds/daily.rss"
    assert self_link(monday) == "http://testserver/feeds/daily.atom?date=2026-06-08"
    assert self_link(trending) == "http://testserver/feeds/trending.atom"
    assert rss.feed.link == "http://testserver/papers"  # the page, not a feed
    # one feed, one id, whatever day it shows; trending is a feed of its own
    assert atom.feed.id == monday.feed.id == "http://testserver/feeds/daily"
    assert trending.feed.id == "http://testserver/feeds/trending"
    assert "trending" in trending.feed.title and "2026" not in trending.feed.title
    # entries: the local page in both formats, arXiv as related
    first_atom, first_rss = atom.entries[0], rss.entries[0]
    assert first_atom.link == first_rss.link == first_atom.id
    assert first_atom.link.startswith("http://testserver/papers/2606.")
    related = [link.href for link in first_atom.links if link.rel == "related"]
    assert related == [
        first_atom.link.replace("http://testserver/papers/", "https://arxiv.org/abs/")
    ]


def test_feeds_and_api_answer_conditional_requests_with_304(client, sessions):
    seed(sessions)
    for url in ("/feeds/daily.atom", "/feeds/daily.rss", "/feeds/trending.atom",
                "/feeds/search.atom?q=first", "/api/daily_papers", "/papers"):  # fmt: skip
        first = client.get(url)
        etag = first.headers["etag"]
        assert client.get(url).headers["etag"] == etag, url  # nothing changed, same tag
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", url
        assert again.headers["etag"] == etag and "content-type" not in again.headers
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    before = client.get("/feeds/daily.atom").headers["etag"]
    store_records(sessions, record(title="Late arrival", feed_date=FRI, upvotes=9))
    assert client.get("/feeds/daily.atom").headers["etag"] != before  # new content, new tag


def test_head_works_wherever_get_does(client, sessions):
    from fastapi.routing import APIRoute

    from dailypapers.web.app import ROUTERS

    seed(sessions)
    paths = [
        route.path for router in ROUTERS for route in router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods and "{" not in route.path
    ]  # fmt: skip
    assert len(paths) > 20
    for path in [*paths, "/favicon.ico", "/static/style.css", "/docs"]:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path


def test_favicon_is_served(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in icon.headers["cache-control"]
