"""Comment Markdown to safe HTML: markdown-it with raw HTML off, tables on, TeX math kept as
written, then the nh3 sanitiser. Pure.

Math: `$...$` and `$$...$$` (pandoc's rule: no space inside the dollars, no digit after the
closing one, so "5$ and 6$" stays prose) become `<span class="math">` with the TeX verbatim, so
`a_i * b_i` is never turned into emphasis; shown readable as source (no KaTeX shipped)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

_MD = (
    MarkdownIt("commonmark", {"html": False})
    .disable("image")
    .enable("table")
    .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
)
TAGS = {
    "p", "a", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "br", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "span", "div",
}  # fmt: skip


def render(text: str) -> str:
    """HTML safe to put in a page: no scripts, no event handlers, only http(s)/mailto links."""
    return nh3.clean(
        _MD.render(text),
        tags=TAGS,
        attributes={"a": {"href", "title"}},
        allowed_classes={"span": {"math", "inline"}, "div": {"math", "block", "inline"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
