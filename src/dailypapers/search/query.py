"""User queries made safe: any text becomes words and quoted phrases, never engine syntax. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 1000
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_.'’-]*(?:[.'’-][^\W\d_]*)*\.?$")
# A query that is only an arXiv id, or a link to a paper: arxiv.org (abs, pdf, html), Hugging
# Face's paper pages, "arXiv:" ids; with or without version, ".pdf", a trailing slash.
_ID_QUERY = re.compile(
    r"^(?:arxiv:\s*|(?:https?://)?(?:www\.|export\.)?"
    r"(?:arxiv\.org/(?:abs|pdf|html)|(?:huggingface|hf)\.co/papers)/)?"
    r"(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?(?:\.pdf)?/?$",
    re.IGNORECASE,
)
MAX_TERMS = 48
_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

# Common English words that carry no topic. They stay inside phrases.
_STOP_TEXT = """a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom why will
with would you your yours yourself yourselves"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.phrases

    def engine_string(self) -> str:
        """A query string holding only lower-case words, spaces and balanced quotes."""
        parts = [f'"{" ".join(p)}"' for p in self.phrases]
        parts.extend(self.terms)
        return " ".join(parts)

    @property
    def highlight_words(self) -> tuple[str, ...]:
        words = list(self.terms)
        for phrase in self.phrases:
            words.extend(w for w in phrase if w not in STOP_WORDS)
        return tuple(dict.fromkeys(words))


def arxiv_id_query(raw: str | None) -> str | None:
    """The canonical arXiv id when the whole query is an id or a link to a paper, else None:
    '2608.19880', 'arXiv:2608.19880v2', 'https://arxiv.org/pdf/2608.19880v1.pdf',
    'https://huggingface.co/papers/2608.19880', 'math.GT/0309136'."""
    match = _ID_QUERY.match((raw or "").strip()[:MAX_QUERY_CHARS])
    if match is None:
        return None
    found = match.group(1)
    if "/" not in found:
        return found
    archive, number = found.split("/")
    name, _, subject = archive.partition(".")
    return f"{name.lower()}{'.' + subject.upper() if subject else ''}/{number}"


def author_query(raw: str | None) -> str | None:
    """The query as a person's name, when it could be one ('Tomas Pfister', '"Yann LeCun"'):
    two to six words of letters (and - ' .), quotes and extra spaces dropped; else None."""
    text = " ".join((raw or "").replace('"', " ").split())
    words = text.split()
    if not 2 <= len(words) <= 6 or len(text) > 100:
        return None
    if not all(_NAME_WORD.match(w) for w in words):
        return None
    return text


def words_of(text: str) -> list[str]:
    return [w.lower().replace("’", "'").split("'")[0] for w in _WORD.findall(text)]


def parse_query(raw: str | None) -> ParsedQuery:
    """Quoted phrases stay phrases (an unbalanced quote is ignored); other words become terms."""
    text = (raw or "")[:MAX_QUERY_CHARS].strip()
    phrases: list[tuple[str, ...]] = []
    for match in _PHRASE.finditer(text):
        phrase = tuple(words_of(match.group(1)))
        if phrase:
            phrases.append(phrase)
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    singles = [p[0] for p in phrases if len(p) == 1]
    phrases = [p for p in phrases if len(p) > 1]
    terms = [w for w in words_of(rest) if w not in STOP_WORDS] + singles
    if not terms and not phrases:
        terms = words_of(rest)  # a query of only stop words ("the who") still means something
    terms = list(dict.fromkeys(terms))[:MAX_TERMS]
    return ParsedQuery(text=text, terms=tuple(terms), phrases=tuple(phrases[:8]))
