"""Highlighting matched words in titles and abstract snippets. Pure; output is escaped HTML."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from dailypapers.search.query import words_of

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 16)  # abstracts repeat their words: a search page stems ~2,000 tokens
def _stem(word: str) -> str:
    """A crude stem so 'models' highlights 'model' and 'modelling'; display only."""
    word = word.lower()
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def highlight(text: str, words: tuple[str, ...] | list[str]) -> str:
    """Escape `text` and wrap words matching any query word (by crude stem) in <mark>."""
    stems = {_stem(w) for w in words if w}
    if not stems:
        return escape(text)
    prefixes = tuple(s for s in stems if len(s) >= 5)
    out, last = [], 0
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        stem = _stem(token)
        if stem in stems or stem.startswith(prefixes):
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(token)}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def snippet(text: str, words: tuple[str, ...] | list[str], length: int = 300) -> str:
    """A window of about `length` characters around the first match, highlighted."""
    if len(text) <= length:
        return highlight(text, words)
    stems = {_stem(w) for w in words}
    start = 0
    for match in _TOKEN.finditer(text):
        if _stem(match.group(0)) in stems:
            start = max(0, match.start() - length // 3)
            break
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + length // 2 else end
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return escape(prefix) + highlight(text[start:end], words) + escape(suffix)


__all__ = ["highlight", "snippet", "words_of"]
