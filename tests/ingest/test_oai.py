"""OAI-PMH harvest against the recorded arXiv answers (503 + Retry-After, then 200), pagination by
resumptionToken, and a kill -9 in the middle of a harvest."""

import os
import signal
import subprocess
import sys
import time

import pytest

from dailypapers.ingest.http import PoliteClient
from dailypapers.ingest.oai import OaiError, harvest, parse_list_records
from dailypapers.papers.store import PaperStore
from tests.conftest import fixture
from tests.replay import ReplayServer, Reply

EXTRACTED = ("arxiv-oai", "extracted")


def recorded(name):
    return fixture(*EXTRACTED, name).read_bytes()


RECORDS = "oaipmh-listrecords---should-list-identifiers-from-arxiv.1.status200.xml"
BUSY = "oaipmh-listrecords---should-list-identifiers-from-arxiv.0.status503.txt"


def split_pages():
    """The recorded 2-record answer cut into two pages joined by a resumptionToken."""
    body = recorded(RECORDS).decode()
    head, rest = body.split("<record>", 1)
    first, second = rest.split("<record>", 1)
    tail = "</ListRecords>"
    page1 = head + "<record>" + first.replace("</record>", "</record>", 1)
    page1 = (
        page1.rstrip()
        + '\n<resumptionToken cursor="0" completeListSize="2">tok-1</resumptionToken>\n'
        + tail
        + "\n</OAI-PMH>\n"
    )
    page2 = (
        head
        + "<record>"
        + second.replace(
            tail, '<resumptionToken cursor="1" completeListSize="2"></resumptionToken>' + tail
        )
    )
    return page1.encode(), page2.encode()


def test_parse_recorded_records():
    page = parse_list_records(recorded(RECORDS), "oai")
    assert page.token is None
    first, second = page.items
    assert first.arxiv_id == "1412.8544" and first.categories == "cs.DM"
    assert first.authors == ("Sander Uijlen", "Bas Westerbaan")
    assert first.doi == "10.4204/EPTCS.172.11" and first.journal_ref.startswith("EPTCS 172")
    assert second.arxiv_id == "hep-th/9504118" and second.published_at.year == 1995
    assert "{\\it cellular network}" in second.abstract  # TeX kept, whitespace normalised


def test_no_records_and_errors():
    oai = '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">{}</OAI-PMH>'
    empty = oai.format('<error code="noRecordsMatch"/>').encode()
    assert parse_list_records(empty, "x").items == []
    bad = oai.format('<error code="badArgument">no</error>').encode()
    with pytest.raises(OaiError, match="badArgument"):
        parse_list_records(bad, "x")


def test_503_retry_after_then_200(sessions):
    waits = []
    with ReplayServer() as server:
        busy = Reply(503, recorded(BUSY), {"Retry-After": "10"})
        server.add(lambda p, q: q.get("verb") == "ListRecords", busy, Reply(200, recorded(RECORDS)))
        client = PoliteClient(min_interval=0, sleep=waits.append)
        report = harvest(
            sessions,
            client,
            server.url + "/oai2",
            from_date=__import__("datetime").date(2015, 1, 1),
        )
        assert 10 in waits
        assert report.result.new == 2 and report.pages == 1
        assert [q["from"] for _, _, q in server.log] == ["2015-01-01", "2015-01-01"]
        again = harvest(
            sessions,
            client,
            server.url + "/oai2",
            from_date=__import__("datetime").date(2015, 1, 1),
        )
        assert again.already_done and len(server.log) == 2


def test_resumption_token_and_resume_after_failure(sessions):
    import datetime as dt

    page1, page2 = split_pages()
    with ReplayServer() as server:
        server.add(lambda p, q: "resumptionToken" not in q, Reply(200, page1))
        server.add(lambda p, q: q.get("resumptionToken") == "tok-1", Reply(500, b"down"))
        client = PoliteClient(min_interval=0, retries=0, sleep=lambda s: None)
        with pytest.raises(Exception, match="gave up"):
            harvest(sessions, client, server.url, from_date=dt.date(2015, 1, 1))
    with sessions() as session:
        assert PaperStore(session).count_papers() == 1  # page 1 was committed
    with ReplayServer() as server:
        server.add(lambda p, q: q.get("resumptionToken") == "tok-1", Reply(200, page2))
        client = PoliteClient(min_interval=0, sleep=lambda s: None)
        report = harvest(sessions, client, server.url, from_date=dt.date(2015, 1, 1))
        assert report.resumed and report.result.new == 1
        assert [q.get("resumptionToken") for _, _, q in server.log] == ["tok-1"]
    with sessions() as session:
        assert PaperStore(session).count_papers() == 2


@pytest.mark.slow
def test_kill_9_mid_harvest_then_rerun(tmp_path):
    page1, page2 = split_pages()
    env = {**os.environ, "DAILYPAPERS_DATA_DIR": str(tmp_path), "DAILYPAPERS_ARXIV_DELAY": "0"}
    env.pop("DAILYPAPERS_DATABASE_URL", None)
    cmd = [sys.executable, "-m", "dailypapers.cli", "ingest", "oai", "--from", "2015-01-01"]
    with ReplayServer() as server:
        server.add(lambda p, q: "resumptionToken" not in q, Reply(200, page1))
        server.add(lambda p, q: True, Reply(200, page2, delay=30))  # hangs: we kill it here
        env["DAILYPAPERS_ARXIV_OAI_URL"] = server.url
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while len(server.log) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(server.log) == 2, "the harvest never asked for page 2"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with ReplayServer() as server:
        server.add(lambda p, q: q.get("resumptionToken") == "tok-1", Reply(200, page2))
        env["DAILYPAPERS_ARXIV_OAI_URL"] = server.url
        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert "resumed from the saved checkpoint" in rerun.stdout
        assert "added 1 new papers" in rerun.stdout
        assert [q.get("resumptionToken") for _, _, q in server.log] == ["tok-1"]
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "harvested completely" in again.stdout
