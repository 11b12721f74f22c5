"""Jinja environment and the small filters the templates use."""

from __future__ import annotations

import datetime as dt

from fastapi.templating import Jinja2Templates

from dailypapers.config import Settings


def author_line(names: list[str], shown: int = 6) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" +{len(names) - shown} more"


def human_date(value: dt.date | dt.datetime | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


def make_templates(settings: Settings) -> Jinja2Templates:
    from pathlib import Path

    templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
    templates.env.filters["authors"] = author_line
    templates.env.filters["human_date"] = human_date
    templates.env.globals["site_name"] = settings.site_name
    return templates
