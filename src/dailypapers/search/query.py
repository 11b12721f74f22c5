"""User queries made safe: any text becomes words and quoted phrases, never engine syntax. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_QUERY_CHARS = 1000
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
