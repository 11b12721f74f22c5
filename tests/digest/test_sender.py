"""`digest send` end to end: the outbox, a real SMTP server on loopback, and what readers get."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from dailypapers.community import follows
from dailypapers.community.services import sign_up, vote
from dailypapers.db.models import DigestOutbox, Paper, Subscriber, utcnow
from dailypapers.digest.mail import SmtpMailer
from dailypapers.digest.sender import DigestSender
from tests.digest.helpers import links, parts, path
from tests.factories import record, store_records, subscriber
from tests.smtp import free_port

WED, THU, SAT = dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.date(2026, 6, 13)


def send(sessions, settings, day=WED, frequency="daily", embedder=None):
    mailers = lambda: SmtpMailer(settings)  # noqa: E731
    sender = DigestSender(sessions, settings, mailers, embedder, sleep=lambda s: None)
    return sender.run(frequency, day)


def status_of(sessions, email):
    with sessions() as session:
        return session.scalar(select(Subscriber.status).where(Subscriber.email == email))


def outbox(sessions):
    with sessions() as session:
        return list(session.scalars(select(DigestOutbox).order_by(DigestOutbox.id)))


@pytest.fixture
def day_papers(sessions):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Scaling laws <b>for</b> everything", upvotes=40),
        record(
            arxiv_id="2606.00002",
            title="Robots that fold laundry",
            upvotes=20,
            authors=("Grace Hopper", "Ada Lovelace"),
        ),  # fmt: skip
        record(arxiv_id="2606.00003", title="Sparse attention kernels", upvotes=10),
    )


def test_active_readers_get_one_multipart_digest_with_working_links(
    client, sessions, settings, smtp, day_papers
):
    subscriber(sessions, "plain@example.org")
    subscriber(sessions, "fan@example.org", authors="grace hopper")
    subscriber(sessions, "pending@example.org", status="pending", confirmed_at=None)
    subscriber(sessions, "gone@example.org", status="unsubscribed")
    report = send(sessions, settings)
    assert (report.pool, report.readers, report.planned, report.sent) == (3, 2, 2, 2)
    assert sorted(m["To"] for m in smtp.sink.messages) == ["fan@example.org", "plain@example.org"]
    [mail] = smtp.sink.to("plain@example.org")
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/unsubscribe/") and unsubscribe.endswith(">")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["From"] == "Daily Papers <digest@papers.test>"
    assert mail["Message-ID"].endswith("@papers.test>")
    text, html = parts(mail)
    titles = ["Scaling laws <b>for</b> everything", "Robots that fold laundry"]
    assert all(t in text for t in titles) and text.index(titles[0]) < text.index(titles[1])
    assert "Scaling laws &lt;b&gt;for&lt;/b&gt; everything" in html  # escaped, never markup
    assert "<style" not in html and 'style="' in html and "<img" not in html  # inlined CSS
    paper_links = links(mail, "/papers/")
    assert len(paper_links) >= 2  # each paper's page, in both parts
    for url in paper_links:
        assert client.get(path(url)).status_code == 200
    [manage] = links(mail, "/subscription/")
    assert "plain@example.org" in client.get(path(manage)).text
    # the personal section says why
    fan_text, _ = parts(smtp.sink.to("fan@example.org")[0])
    assert "FOR YOU" in fan_text and "(by grace hopper)" in fan_text
    # the header's URL unsubscribes with the one-click POST
    client.cookies.clear()
    one_click = client.post(path(unsubscribe.strip("<>")), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    assert status_of(sessions, "plain@example.org") == "unsubscribed"


def test_reruns_send_nothing_twice_and_no_paper_reaches_a_reader_twice(
    sessions, settings, smtp, day_papers
):
    subscriber(sessions, "ada@example.org")
    assert send(sessions, settings).sent == 1
    again = send(sessions, settings)
    assert (again.readers, again.planned, again.sent) == (0, 0, 0)
    # Thursday repeats a paper from Wednesday and adds one
    store_records(sessions, record(arxiv_id="2606.00001", feed_date=THU, upvotes=50),
                  record(arxiv_id="2606.00009", title="Brand new", feed_date=THU))  # fmt: skip
    assert send(sessions, settings, THU).sent == 1
    thursday, _ = parts(smtp.sink.messages[-1])
    assert "Brand new" in thursday and "Scaling laws" not in thursday
    assert len(smtp.sink.messages) == 2


def test_an_empty_digest_is_not_sent(sessions, settings, smtp, day_papers):
    subscriber(sessions, "ada@example.org")
    send(sessions, settings)
    store_records(sessions, record(arxiv_id="2606.00002", feed_date=THU))  # only a repeat
    report = send(sessions, settings, THU)
    assert (report.readers, report.empty, report.sent) == (1, 1, 0)
    assert len(smtp.sink.messages) == 1


def test_daily_digests_skip_weekends_weekly_covers_the_week(sessions, settings, smtp, day_papers):
    subscriber(sessions, "daily@example.org")
    subscriber(sessions, "weekly@example.org", frequency="weekly")
    saturday = send(sessions, settings, SAT)
    assert saturday.sent == 0 and "weekdays" in saturday.stopped
    weekly = send(sessions, settings, SAT, frequency="weekly")
    assert (weekly.period, weekly.sent) == ("2026-W24", 1)
    assert smtp.sink.messages[0]["To"] == "weekly@example.org"
    assert "week of" in smtp.sink.messages[0]["Subject"]


def test_a_permanent_failure_stops_mail_to_that_address(sessions, settings, smtp, day_papers):
    subscriber(sessions, "dead@example.org")
    subscriber(sessions, "alive@example.org")
    smtp.sink.always["dead@example.org"] = "550 5.1.1 No such user here"
    report = send(sessions, settings)
    assert (report.sent, report.failed) == (1, 1)
    assert status_of(sessions, "dead@example.org") == "bounced"
    [failed] = [o for o in outbox(sessions) if o.status == "failed"]
    assert "550" in failed.last_error
    store_records(sessions, record(title="Thursday paper", feed_date=THU))
    assert send(sessions, settings, THU).readers == 1  # the bounced address is not composed


def test_a_transient_failure_is_retried_with_backoff(sessions, settings, smtp, day_papers):
    subscriber(sessions, "busy@example.org")
    smtp.sink.replies["busy@example.org"] = ["451 4.7.1 Greylisted, try again"]
    waits = []
    sender = DigestSender(sessions, settings, lambda: SmtpMailer(settings), sleep=waits.append)
    report = sender.run("daily", WED)
    assert report.sent == 1 and len(smtp.sink.messages) == 1
    assert waits == [settings.digest_retry_base]


def test_a_lasting_transient_failure_waits_for_a_later_run(sessions, settings, smtp, day_papers):
    subscriber(sessions, "busy@example.org")
    smtp.sink.always["busy@example.org"] = "452 4.2.2 Mailbox full"
    report = send(sessions, settings)
    assert (report.sent, report.retry_later) == (0, 1)
    [row] = outbox(sessions)
    assert row.status == "pending" and row.next_attempt_at > utcnow() and "452" in row.last_error
    assert send(sessions, settings).sent == 0  # not due yet: no hammering
    del smtp.sink.always["busy@example.org"]
    with sessions() as session:
        session.execute(update(DigestOutbox).values(next_attempt_at=utcnow()))
        session.commit()
    assert send(sessions, settings).sent == 1
    assert len(smtp.sink.messages) == 1


def test_smtp_down_stops_the_run_and_loses_nothing(sessions, settings, smtp, day_papers):
    for i in range(3):
        subscriber(sessions, f"r{i}@example.org")
    down = settings.model_copy(update={"smtp_port": free_port()})
    report = send(sessions, down)
    assert report.sent == 0 and "cannot reach" in report.stopped
    assert {o.status for o in outbox(sessions)} == {"pending"}
    assert send(sessions, settings).sent == 3
    assert len(smtp.sink.messages) == 3


def test_papers_like_the_ones_i_upvoted(sessions, settings, smtp, search, embedder):
    earlier = dt.date(2026, 6, 1)
    store_records(
        sessions,
        record(arxiv_id="2606.00100", feed_date=earlier, title="Denoising diffusion models for "
               "image generation", abstract="We generate images by reversing a noising process."),
        record(arxiv_id="2606.00101", title="Score-based generative modeling of pictures with "
               "diffusion", abstract="Image synthesis by iterative denoising.", upvotes=1),
        record(arxiv_id="2606.00102", title="Medieval tax records of Flanders",
               abstract="An economic history of taxation.", upvotes=2),
    )  # fmt: skip
    search.catch_up(embed_limit=None)
    with sessions() as session:
        user = sign_up(session, "ada", "ada@example.org", "a long password 123")
        paper_id = session.scalar(select(Paper.id).where(Paper.arxiv_id == "2606.00100"))
        vote(session, user, paper_id)
        session.commit()
        user_id = user.id
    subscriber(sessions, "ada@example.org", like_upvoted=True, user_id=user_id)
    quiet = settings.model_copy(update={"digest_trending": 1})
    report = send(sessions, quiet, embedder=embedder)
    assert report.sent == 1
    text, _ = parts(smtp.sink.messages[0])
    for_you = text.split("TRENDING")[0]
    assert "Score-based generative modeling" in for_you and "(like papers you upvoted)" in for_you


def test_several_connections_send_each_digest_once(sessions, settings, smtp, day_papers):
    for i in range(30):
        subscriber(sessions, f"r{i}@example.org")
    sender = DigestSender(sessions, settings, lambda: SmtpMailer(settings), workers=3)
    report = sender.run("daily", WED)
    assert report.sent == 30
    assert sorted(m["To"] for m in smtp.sink.messages) == sorted(
        f"r{i}@example.org" for i in range(30)
    )


def test_followed_authors_and_saved_searches_reach_the_digest(sessions, settings, smtp):
    store_records(
        sessions,
        record(arxiv_id="2606.00001", title="Scaling laws", upvotes=40),
        record(
            arxiv_id="2606.00002",
            title="Robots that fold laundry",
            upvotes=1,
            authors=("Grace Hopper",),
        ),  # fmt: skip
        record(arxiv_id="2606.00003", title="Sparse attention kernels", upvotes=2),
    )
    assert dt.date(2026, 6, 10) == WED
    with sessions() as session:
        user = sign_up(session, "ada", "ada@example.org", "a long password 123")
        follows.follow(session, user, "author", "Grace Hopper")
        follows.save_search(session, user, {"q": "sparse attention"})
        session.commit()
        user_id = user.id
    subscriber(sessions, "ada@example.org", user_id=user_id)
    quiet = settings.model_copy(update={"digest_trending": 1})
    assert send(sessions, quiet).sent == 1
    text, _ = parts(smtp.sink.messages[0])
    for_you = text.split("TRENDING")[0]
    assert "Robots that fold laundry" in for_you and "(by Grace Hopper)" in for_you
    assert "Sparse attention kernels" in for_you
