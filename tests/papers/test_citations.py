"""Citation exports, read back by real parsers: bibtexparser (with LaTeX decoding) and rispy,
over the whole demo set and over names and titles that break naive writers."""

from __future__ import annotations

import datetime as dt
import json

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares

from dailypapers.db.models import Paper, PaperAuthor
from dailypapers.demo import DEMO_FILE
from dailypapers.ingest.hf_daily import read_path
from dailypapers.papers import citations
from dailypapers.papers.citations import Name, split_name
from dailypapers.papers.records import PaperRecord


def paper(arxiv_id="2405.15738", title="A title", authors=("Ada Lovelace",), **fields):
    made = Paper(arxiv_id=arxiv_id, title=title, abstract=fields.pop("abstract", ""), **fields)
    made.authors = [PaperAuthor(name=n, position=i) for i, n in enumerate(authors)]
    return made


def demo_papers():
    papers = []
    for parsed in read_path(DEMO_FILE):
        if isinstance(parsed, PaperRecord):
            papers.append(
                paper(
                    parsed.arxiv_id,
                    parsed.title,
                    parsed.authors,
                    abstract=parsed.abstract,
                    published_at=parsed.published_at,
                )  # fmt: skip
            )
    return papers


def parse_bibtex(text):
    library = bibtexparser.parse_string(
        text,
        append_middleware=[middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()],
    )
    assert library.failed_blocks == []
    return library.entries


def plain(title):
    """A decoded title without the braces that protect capitals (pylatexenc decodes
    \\textasciicircum and \\textasciitilde as the spacing accents ˆ and ˜)."""
    title = title.replace("ˆ", "^").replace("˜", "~")
    return " ".join(title.replace("{", "").replace("}", "").split())


@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        ("Chunjiang Ge", "Chunjiang", "Ge"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("Martin Luther King Jr.", "Martin Luther", "King Jr."),
        ("Lovelace, Ada", "Ada", "Lovelace"),
        ("Plato", "", "Plato"),
        ("  José   María de la Cruz ", "José María", "de la Cruz"),
    ],
)
def test_names_split_into_given_and_family(full, given, family):
    assert split_name(full) == Name(given, family)


def test_keys_follow_scholar_and_stay_unique_within_an_export():
    convllava = paper(
        title="ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models",
        authors=("Chunjiang Ge", "Sijie Cheng"),
        published_at=dt.datetime(2024, 5, 24),
    )
    assert citations.base_key(citations.citable(convllava)) == "ge2024convllava"
    # no publication date: the year comes from a new-style id; stopwords and accents drop
    other = paper("2406.00001", title="On the Ümlaut of Things", authors=("Kurt Gödel",))
    assert citations.base_key(citations.citable(other)) == "godel2024umlaut"
    twins = [citations.citable(convllava)] * 3 + [citations.citable(other)]
    assert citations.keys(twins) == [
        "ge2024convllava", "ge2024convllavab", "ge2024convllavac", "godel2024umlaut",
    ]  # fmt: skip


def test_latex_specials_accents_and_math_round_trip_through_bibtexparser():
    title = "Gödel's 100% {Proof} of x_1 & #2 ~ $\\alpha$-ConvLLaVA: Łódź, Ça va?"
    authors = ("Kurt Gödel", "Łukasz Kaiser", "Zoë Žižek", "François-Xavier Çelik")
    text = citations.render([paper(title=title, authors=authors)], "bibtex")
    assert "ö" not in text and "$\\alpha$" in text and '{\\"o}' in text
    assert "{-ConvLLaVA:}" in text  # inner capitals survive title-casing styles
    (entry,) = parse_bibtex(text)
    assert plain(entry["title"]) == title.replace("{", "").replace("}", "")
    assert entry["author"] == [f"{split_name(a).family}, {split_name(a).given}" for a in authors]


def test_the_arxiv_convention_fields():
    one = paper(
        title="A Study", authors=("Ada Lovelace",), published_at=dt.datetime(2024, 5, 24),
        primary_category="cs.CV", journal_ref="Nature 1 (2025)",
    )  # fmt: skip
    (entry,) = parse_bibtex(citations.render([one], "bibtex"))
    assert entry.entry_type == "misc"
    assert entry["eprint"] == "2405.15738" and entry["archivePrefix"] == "arXiv"
    assert entry["primaryClass"] == "cs.CV" and entry["year"] == "2024"
    assert entry["doi"] == "10.48550/arXiv.2405.15738"
    assert entry["url"] == "https://arxiv.org/abs/2405.15738"
    assert entry["note"] == "Published in Nature 1 (2025)"


def test_the_whole_demo_set_round_trips_in_every_format():
    papers = demo_papers()
    assert len(papers) > 1000
    names = [[f"{split_name(a).family}, {split_name(a).given}".rstrip(", ") for a in p.author_names]
             for p in papers]  # fmt: skip

    entries = parse_bibtex(citations.render(papers, "bibtex"))
    assert len(entries) == len(papers) == len({e.key for e in entries})
    for entry, one, authors in zip(entries, papers, names, strict=True):
        assert plain(entry["title"]) == plain(one.title), one.arxiv_id
        assert entry["eprint"] == one.arxiv_id
        assert [a.rstrip(", ") for a in entry["author"]] == authors, one.arxiv_id

    records = rispy.loads(citations.render(papers, "ris"))
    assert len(records) == len(papers)
    for record, one, authors in zip(records, papers, names, strict=True):
        assert record["type_of_reference"] == "UNPB"
        assert record["title"] == " ".join(one.title.split())
        assert [a.rstrip(", ") for a in record["authors"]] == authors
        assert record["doi"] == f"10.48550/arXiv.{one.arxiv_id}"
        assert record["id"] == entries[papers.index(one)].key

    items = json.loads(citations.render(papers, "csl-json"))
    assert [i["id"] for i in items] == [e.key for e in entries]
    for item, one in zip(items, papers, strict=True):
        assert item["type"] == "article" and item["number"] == f"arXiv:{one.arxiv_id}"
        given = [" ".join(filter(None, (a.get("given"), a.get("family") or a.get("literal"))))
                 for a in item["author"]]  # fmt: skip
        assert given == [" ".join(n.split()) for n in one.author_names]
        if one.published_at:
            year = one.published_at.year
            assert item["issued"]["date-parts"][0][0] == year


@pytest.fixture
def indexed_day(sessions, search):
    from tests.factories import record, store_records
    from tests.search.test_service import PAPERS

    store_records(sessions, *[record(**p) for p in PAPERS])
    search.indexer.sync_lexical()
    day = record().feed_date.isoformat()
    return day, [p["arxiv_id"] for p in PAPERS]


def test_every_list_and_paper_downloads_as_citations(client, indexed_day):
    day, ids = indexed_day
    one = ids[0]
    for suffix, kind, check in (
        (".bib", "application/x-bibtex", lambda t: parse_bibtex(t)[0]["eprint"]),
        (".ris", "application/x-research-info-systems", lambda t: rispy.loads(t)[0]["id"]),
        (".csl.json", "application/vnd.citationstyles.csl+json", lambda t: json.loads(t)[0]),
    ):
        answer = client.get(f"/papers/{one}{suffix}")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(kind)
        assert f'filename="{one}{suffix}"' in answer.headers["content-disposition"]
        assert check(answer.text)
    page = client.get(f"/papers/{one}").text
    assert f'href="/papers/{one}.bib"' in page

    listed = client.get(f"/papers?date={day}&format=bibtex")
    assert {e["eprint"] for e in parse_bibtex(listed.text)} == set(ids)
    assert 'format=bibtex" download' in client.get(f"/papers?date={day}").text
    assert len(rispy.loads(client.get(f"/papers?date={day}&format=ris").text)) == len(ids)
    found = client.get("/search?q=diffusion&mode=lexical&format=csl-json")
    assert found.status_code == 200 and json.loads(found.text)
    assert 'format=bibtex" download' in client.get("/search?q=diffusion&mode=lexical").text

    assert client.get(f"/papers?date={day}&format=docx").status_code == 400
    assert client.get("/papers/2699.99999.bib").status_code == 404
    empty = client.get("/papers?date=1999-01-01&format=ris")
    assert empty.status_code == 200 and rispy.loads(empty.text) == []
