"""Jinja environment and the small filters the templates use."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from dailypapers.config import Settings
from dailypapers.papers import hf
from dailypapers.papers.records import web_url
from dailypapers.web.csrf import csrf_token


def author_line(names: list[str], shown: int = 6) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" +{len(names) - shown} more"


def author_url(name: str) -> str:
    """Where an author's name leads: their page (every spelling of the name)."""
    return "/authors/" + quote(name, safe="")


def author_links(names: list[str], shown: int = 6) -> Markup:
    """author_line, each name a link to its papers (escaped: names come from imported data)."""
    links = [
        Markup('<a class="author" href="{}">{}</a>').format(author_url(n), n) for n in names[:shown]
    ]
    more = Markup(f" +{len(names) - shown} more") if len(names) > shown else Markup("")
    return Markup(", ").join(links) + more


def human_date(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


class LazyCsrf:
    """The browser's CSRF token, minted (and its cookie set) only when a page writes it into a
    form: pages an anonymous reader sees have no form, so they set no cookie, carry nothing
    personal and can be cached for everyone (web/middleware.py AnonymousCache)."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return csrf_token(self.request)

    __html__ = __str__


def _request_context(request: Request) -> dict[str, Any]:
    return {"current_user": getattr(request.state, "user", None), "csrf": LazyCsrf(request)}


def make_templates(settings: Settings) -> Jinja2Templates:
    from pathlib import Path

    templates = Jinja2Templates(
        directory=Path(__file__).parent / "templates", context_processors=[_request_context]
    )
    templates.env.filters["authors"] = author_line
    templates.env.filters["author_links"] = author_links
    templates.env.filters["author_url"] = author_url
    templates.env.filters["human_date"] = human_date
    templates.env.filters["web_url"] = web_url  # http(s) links only, whatever was stored
    templates.env.globals["site_name"] = settings.site_name
    remote = settings.remote_images
    templates.env.globals["images"] = lambda paper: hf.images(paper, remote)
    return templates
