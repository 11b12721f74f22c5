"""Citations as downloads: one paper (`/papers/{id}.bib`, `.ris`, `.csl.json`) and any list the
site shows (a day, a search, a collection, the reading list) with `?format=bibtex|ris|csl-json`
(or the same suffixes). The formats themselves are papers/citations.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from dailypapers.db.models import Paper
from dailypapers.papers import citations
from dailypapers.papers.citations import Format
from dailypapers.web.deps import PagePaper

router = APIRouter(include_in_schema=False)
SUFFIX_KINDS = tuple((suffix, kind) for kind, suffix in citations.SUFFIXES.items())
LIST_LIMIT = 1000  # papers in one exported list (a month of the feed is ~400)
FormatQ = Annotated[
    str | None,
    Query(
        max_length=20,
        description="Download the list as citations: bibtex (bib), ris or csl-json instead of "
        "the page",
    ),
]


def wanted(name: str | None) -> Format | None:
    """A `?format=` value as a format; None when absent; 400 when it names none of ours."""
    if not name:
        return None
    kind = citations.format_of(name)
    if kind is None:
        raise HTTPException(400, "format: one of bibtex, ris, csl-json.")
    return kind


def download(papers: Iterable[Paper], kind: Format, stem: str) -> Response:
    """The papers as a citation file, named for what they are (`2406.01234.bib`)."""
    return Response(
        citations.render(papers, kind),
        media_type=citations.MEDIA_TYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{citations.filename(stem, kind)}"'},
    )


def _paper_route(suffix: str, kind: Format) -> None:
    def paper_citation(found: PagePaper) -> Response:
        return download([found], kind, found.arxiv_id)

    router.add_api_route(f"/papers/{{arxiv_id:path}}.{suffix}", paper_citation, methods=["GET"])


for _suffix, _kind in SUFFIX_KINDS:
    _paper_route(_suffix, _kind)
