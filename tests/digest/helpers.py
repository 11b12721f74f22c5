"""Reading received mail the way a reader would: parts, links, headers."""

from __future__ import annotations

import re
from email.message import EmailMessage

LINK = re.compile(r"https?://[^\s<>\"]+")


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "want multipart/alternative: text and HTML"
    return text.get_content(), html.get_content()


def links(message: EmailMessage, fragment: str) -> list[str]:
    text, _ = parts(message)
    return [url for url in LINK.findall(text) if fragment in url]


def path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])
