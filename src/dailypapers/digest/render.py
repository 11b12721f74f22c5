"""Mails as text: the digest and the subscription notices, each as plain text + HTML with the
CSS inlined (css-inline), so they read well in any client, with images off (there are none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dailypapers.digest.compose import Digest, Pick

SUMMARY_CHARS = 300
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass(frozen=True)
class PaperView:
    """What a mail shows of a paper."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str
    votes: int


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Links:
    base_url: str
    manage_url: str
    unsubscribe_url: str


class Renderer:
    def __init__(self, site_name: str) -> None:
        folder = Path(__file__).parent / "templates"
        self.site_name = site_name
        self._html = Environment(
            loader=FileSystemLoader(folder),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
        )
        self._text = Environment(
            loader=FileSystemLoader(folder), autoescape=False, undefined=StrictUndefined
        )

    def _render(self, name: str, subject: str, context: Mapping[str, object]) -> RenderedMail:
        context = {"site_name": self.site_name, "subject": subject, **context}
        text = self._text.get_template(f"{name}.txt").render(context)
        html = _INLINER.inline(self._html.get_template(f"{name}.html").render(context))
        return RenderedMail(subject, text.strip() + "\n", html)

    def digest(
        self,
        digest: Digest,
        papers: Mapping[int, PaperView],
        *,
        email: str,
        frequency: str,
        heading: str,
        links: Links,
    ) -> RenderedMail:
        def items(picks: tuple[Pick, ...]) -> list[dict[str, object]]:
            return [
                _item(papers[p.paper_id], p.reason, links.base_url)
                for p in picks
                if p.paper_id in papers
            ]

        trending, for_you = items(digest.trending), items(digest.for_you)
        top = (for_you or trending)[0]["title"] if (for_you or trending) else ""
        subject = f"{self.site_name} · {heading}: {_shorten(str(top), 80)}"
        return self._render(
            "digest",
            subject,
            {
                "heading": heading,
                "trending": trending,
                "for_you": for_you,
                "email": email,
                "frequency_word": _frequency_word(frequency),
                "base_url": links.base_url,
                "manage_url": links.manage_url,
                "unsubscribe_url": links.unsubscribe_url,
            },
        )

    def confirmation(self, email: str, frequency: str, confirm_url: str) -> RenderedMail:
        subject = f"Confirm your {self.site_name} digest"
        context = {
            "email": email,
            "frequency_word": _frequency_word(frequency),
            "confirm_url": confirm_url,
        }
        return self._render("confirm", subject, context)

    def already_subscribed(self, email: str, manage_url: str) -> RenderedMail:
        subject = f"You are already subscribed to {self.site_name}"
        return self._render("already", subject, {"email": email, "manage_url": manage_url})

    def account(self, kind: str, email: str, username: str, url: str) -> RenderedMail:
        """The account mails: "signup" (finish signing up at `url`), "taken" (someone tried to
        sign up with this address; `url` is the sign-in page), "verify" (confirm an older
        account's address at `url`)."""
        subject = {
            "signup": f"Finish signing up to {self.site_name}",
            "taken": f"Someone tried to sign up to {self.site_name} with your address",
            "verify": f"Confirm your address for {self.site_name}",
        }[kind]
        return self._render(
            f"account_{kind}", subject, {"email": email, "username": username, "url": url}
        )


def heading_for(frequency: str, start: dt.date, end: dt.date) -> str:
    if frequency == "weekly":
        return f"the week of {start:%d %b} – {end:%d %b %Y}"
    return f"{start:%A %d %B %Y}"


def _frequency_word(frequency: str) -> str:
    return "weekly" if frequency == "weekly" else "daily"


def _item(paper: PaperView, reason: str, base_url: str) -> dict[str, object]:
    return {
        "title": paper.title,
        "authors": _authors(paper.authors),
        "summary": _shorten(paper.abstract, SUMMARY_CHARS),
        "votes": paper.votes,
        "reason": reason,
        "url": f"{base_url}/papers/{paper.arxiv_id}",
    }


def _authors(names: tuple[str, ...], shown: int = 4) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" +{len(names) - shown}"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
