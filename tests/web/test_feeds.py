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
