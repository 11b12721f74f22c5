"""Citations of papers as BibTeX, RIS and CSL-JSON: pure functions, no I/O.

BibTeX follows arXiv's own export (`@misc`, `eprint`, `archivePrefix = {arXiv}`, `primaryClass`,
`doi = {10.48550/arXiv.ID}`, `url`) with Google Scholar's short keys (`ge2024convllava`: first
author's family name, year, first significant title word), made unique within one export by a
letter (`ge2024convllavab`). Titles and names are LaTeX-escaped (accents as `{\\"o}`), title
words with inner capitals are braced so styles keep them (`{ConvLLaVA}`), and `$…$` math is
kept as written. RIS and CSL-JSON carry the same facts in UTF-8, as Zotero reads them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from dailypapers.db.models import Paper

Format = Literal["bibtex", "ris", "csl-json"]
FORMATS: dict[str, Format] = {
    "bib": "bibtex", "bibtex": "bibtex", "ris": "ris", "csl": "csl-json", "csl-json": "csl-json",
    "csl.json": "csl-json", "json": "csl-json",
}  # fmt: skip
MEDIA_TYPES: dict[Format, str] = {
    "bibtex": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "csl-json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
SUFFIXES: dict[Format, str] = {"bibtex": "bib", "ris": "ris", "csl-json": "csl.json"}

# name particles that belong to the family name ("Ludwig van Beethoven": "van Beethoven")
PARTICLES = frozenset({"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le",
                       "la", "dos", "das", "ter", "ten", "zu", "bin", "al"})  # fmt: skip
SUFFIX_WORDS = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# title words a key skips (Google Scholar's rule: the first word that says something)
STOPWORDS = frozenset({"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from",
                       "towards", "toward", "via", "is", "are", "do", "does", "can", "how",
                       "what", "when", "why", "at", "by", "as", "into", "beyond"})  # fmt: skip

_CUT = "\ue000"  # a private-use character the encoder writes as {}: breaks a TeX ligature
_ENCODER = UnicodeToLatexEncoder(
    # dashes as their macros, not `--`, so a reader decoding them gets the same title back
    conversion_rules=[
        UnicodeToLatexConversionRule(
            RULE_DICT,
            {ord("–"): r"\textendash", ord("—"): r"\textemdash", ord('"'): '"', ord(_CUT): ""},
        ),
        "defaults",
    ],
    non_ascii_only=False,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)
_MATH = re.compile(r"(\$[^$]+\$)")
_NEW_ID = re.compile(r"^(\d\d)(\d\d)\.\d{4,5}$")


@dataclass(frozen=True)
class Name:
    given: str
    family: str


@dataclass(frozen=True)
class Citable:
    """What a citation says about one paper."""

    arxiv_id: str
    title: str
    authors: tuple[Name, ...]
    year: int | None
    month: int | None
    day: int | None
    primary_category: str | None
    abstract: str
    journal_ref: str | None
    journal_doi: str | None

    @property
    def doi(self) -> str:
        return f"10.48550/arXiv.{self.arxiv_id}"

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"


def split_name(full: str) -> Name:
    """ "Given Family" into its parts: the last word is the family name, with the particles
    before it ("van", "de", …) and after a suffix ("Jr."); "Family, Given" as written."""
    full = " ".join(full.split())
    if "," in full:
        family, _, given = full.partition(",")
        return Name(given.strip(), family.strip())
    words = full.split(" ")
    if len(words) == 1:
        return Name("", words[0])
    end = len(words)
    if words[-1].lower() in SUFFIX_WORDS and len(words) > 2:
        end -= 1
    start = end - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    family = " ".join(words[start:end] + words[end:])
    return Name(" ".join(words[:start]), family)


def citable(paper: Paper) -> Citable:
    published = paper.published_at
    year = month = day = None
    if published is not None:
        year, month, day = published.year, published.month, published.day
    elif match := _NEW_ID.match(paper.arxiv_id):  # 2405.15738: May 2024
        year, month = 2000 + int(match.group(1)), int(match.group(2))
    return Citable(
        arxiv_id=paper.arxiv_id,
        title=" ".join(paper.title.split()),
        authors=tuple(split_name(n) for n in paper.author_names),
        year=year,
        month=month,
        day=day,
        primary_category=paper.primary_category,
        abstract=paper.abstract or "",
        journal_ref=paper.journal_ref,
        journal_doi=paper.doi,
    )


def ascii_fold(text: str) -> str:
    """Letters without accents, then only a-z0-9 ("Müller" → "muller", "Łukasz" → "lukasz")."""
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    text = text.replace("ß", "ss").replace("æ", "ae").replace("đ", "d")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def base_key(paper: Citable) -> str:
    """Google Scholar's key: family name of the first author, year, first significant word."""
    family = paper.authors[0].family.split(" ")[-1] if paper.authors else "anonymous"
    words = [ascii_fold(w) for w in re.split(r"[\s\-–—:/]+", _MATH.sub(" ", paper.title))]
    word = next((w for w in words if w and w not in STOPWORDS), "")
    year = str(paper.year) if paper.year else ""
    return (ascii_fold(family) or "anonymous") + year + word


def keys(papers: Sequence[Citable]) -> list[str]:
    """One key per paper, unique within the list: a repeated key gets b, c, … in list order."""
    seen: dict[str, int] = {}
    out = []
    for paper in papers:
        key = base_key(paper)
        count = seen.get(key, 0)
        seen[key] = count + 1
        out.append(key if count == 0 else key + _letters(count))
    return out


def _letters(n: int) -> str:
    """The n-th repeat's suffix: 1 → b, …, 25 → z, 26 → ba, …"""
    high, low = divmod(n, 26)
    return (chr(ord("a") + high) if high else "") + chr(ord("a") + low)


def latex(text: str) -> str:
    """Text made safe inside a BibTeX braced value; `$…$` math passes as written."""
    parts = _MATH.split(text)
    return "".join(p if _MATH.fullmatch(p) else _encode(p) for p in parts)


def _encode(text: str) -> str:
    # "--", "''" and "``" as written stay two characters ("-{}-"), not TeX's ligatures
    return str(_ENCODER.unicode_to_latex(re.sub(r"([-'`])(?=\1)", "\\1" + _CUT, text)))


def latex_title(title: str) -> str:
    """The title escaped, each word with a capital after its first letter braced, so styles
    that lower-case titles keep "ConvLLaVA", "GPT-4" and "3D"."""
    parts = _MATH.split(title)
    out = []
    for part in parts:
        if _MATH.fullmatch(part):
            out.append(part)
            continue
        words = re.split(r"(\s+)", part)
        out.append(
            "".join("{" + latex(w) + "}" if re.search(r"[A-Z]", w[1:]) else latex(w) for w in words)
        )
    return "".join(out)


def _bib_name(name: Name) -> str:
    return latex(f"{name.family}, {name.given}" if name.given else name.family)


def bibtex(papers: Sequence[Citable]) -> str:
    entries = []
    for key, paper in zip(keys(papers), papers, strict=True):
        fields = [
            ("title", latex_title(paper.title)),
            ("author", " and ".join(_bib_name(a) for a in paper.authors)),
            ("year", str(paper.year) if paper.year else ""),
            ("month", MONTHS[paper.month - 1] if paper.month else ""),
            ("eprint", paper.arxiv_id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", paper.primary_category or ""),
            ("doi", paper.doi),
            ("url", paper.url),
            ("note", latex(f"Published in {paper.journal_ref}") if paper.journal_ref else ""),
        ]
        body = ",\n".join(
            f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
            for name, value in fields
            if value
        )
        entries.append(f"@misc{{{key},\n{body},\n}}\n")
    return "\n".join(entries)


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def ris(papers: Sequence[Citable]) -> str:
    records = []
    for key, paper in zip(keys(papers), papers, strict=True):
        lines = [("TY", "UNPB"), ("ID", key), ("TI", paper.title)]
        lines += [("AU", f"{a.family}, {a.given}" if a.given else a.family) for a in paper.authors]
        if paper.year:
            lines.append(("PY", str(paper.year)))
            if paper.month:
                lines.append(("DA", f"{paper.year}/{paper.month:02d}/{paper.day or 1:02d}"))
        lines += [
            ("AB", paper.abstract),
            ("PB", "arXiv"),
            ("DO", paper.doi),
            ("UR", paper.url),
            ("M1", f"arXiv:{paper.arxiv_id}"),
        ]
        if paper.primary_category:
            lines.append(("KW", paper.primary_category))
        if paper.journal_ref:
            lines.append(("N1", f"Published in {paper.journal_ref}"))
        body = "".join(f"{tag}  - {_one_line(value)}\n" for tag, value in lines if value)
        records.append(body + "ER  - \n")
    return "\n".join(records)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def csl_json(papers: Sequence[Citable]) -> list[dict[str, Any]]:
    items = []
    for key, paper in zip(keys(papers), papers, strict=True):
        item: dict[str, Any] = {
            "id": key,
            "type": "article",
            "title": paper.title,
            "author": [
                {"family": a.family, "given": a.given} if a.given else {"literal": a.family}
                for a in paper.authors
            ],
            "publisher": "arXiv",
            "number": f"arXiv:{paper.arxiv_id}",
            "DOI": paper.doi,
            "URL": paper.url,
            "abstract": paper.abstract,
        }
        if paper.year:
            parts = [paper.year] + ([paper.month] if paper.month else [])
            parts += [paper.day] if paper.month and paper.day else []
            item["issued"] = {"date-parts": [parts]}
        if paper.primary_category:
            item["keyword"] = paper.primary_category
        if paper.journal_ref:
            item["note"] = f"Published in {paper.journal_ref}"
        items.append(item)
    return items


def render(papers: Iterable[Paper], kind: Format) -> str:
    """The papers in one citation format, in the order given."""
    cited = [citable(p) for p in papers]
    if kind == "bibtex":
        return bibtex(cited)
    if kind == "ris":
        return ris(cited)
    return json.dumps(csl_json(cited), ensure_ascii=False, indent=2) + "\n"


def format_of(name: str | None) -> Format | None:
    """A `?format=` value or a path suffix as a format (None: not one of ours)."""
    return FORMATS.get(name.lower()) if name else None


def filename(stem: str, kind: Format) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "papers"
    return f"{safe}.{SUFFIXES[kind]}"
