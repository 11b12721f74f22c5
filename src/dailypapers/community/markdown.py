"""Comment Markdown to safe HTML: markdown-it with raw HTML off, then the nh3 sanitiser. Pure."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False}).disable("image")
TAGS = {"p", "a", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "br", "hr"}


def render(text: str) -> str:
    """HTML safe to put in a page: no scripts, no event handlers, only http(s)/mailto links."""
    return nh3.clean(
        _MD.render(text),
        tags=TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
