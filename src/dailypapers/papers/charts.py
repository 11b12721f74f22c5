"""Small server-side SVG charts. Pure functions returning markup; every text is escaped."""

from __future__ import annotations

import datetime as dt
from html import escape


def papers_per_day_svg(days: list[dt.date], counts: dict[dt.date, int], link: str = "") -> str:
    """A bar per calendar day; bars of days with papers link to that day (`link` + ISO date)."""
    width, height, pad = 640, 120, 18
    peak = max(counts.values(), default=0) or 1
    slot = (width - 2 * pad) / max(len(days), 1)
    bars = []
    for i, day in enumerate(days):
        count = counts.get(day, 0)
        bar_h = (height - 2 * pad) * count / peak
        x, y = pad + i * slot, height - pad - bar_h
        title = f"{day:%a %d %b}: {count} paper{'s' if count != 1 else ''}"
        rect = (
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(slot - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" class="bar"><title>{escape(title)}</title></rect>'
        )
        if count and link:
            rect = f'<a href="{escape(link + day.isoformat())}">{rect}</a>'
        bars.append(rect)
    total = sum(counts.get(d, 0) for d in days)
    label = f"{total} papers; busiest day {peak if counts else 0}"
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Papers per day: {escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<text x="{pad}" y="12" class="axis">{peak if counts else 0} max/day</text>'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'class="base"/>'
        + "".join(bars)
        + f'<text x="{pad}" y="{height - 4}" class="axis">{days[0]:%d %b}</text>'
        f'<text x="{width - pad}" y="{height - 4}" text-anchor="end" class="axis">'
        f"{days[-1]:%d %b}</text></svg>"
        if days
        else ""
    )


def upvote_strip_svg(day_upvotes: list[tuple[str, int]], highlight: str) -> str:
    """Where this paper's upvotes sit among all papers of its feed day: one dot per paper."""
    if not day_upvotes:
        return ""
    width, height, pad = 640, 56, 14
    peak = max(v for _, v in day_upvotes) or 1
    rank = 1 + sum(1 for a, v in day_upvotes if v > _votes_of(day_upvotes, highlight))
    dots = []
    for arxiv_id, votes in sorted(day_upvotes, key=lambda row: row[0] == highlight):
        x = pad + (width - 2 * pad) * votes / peak
        mine = arxiv_id == highlight
        dots.append(
            f'<circle cx="{x:.1f}" cy="{height / 2:.1f}" r="{7 if mine else 5}" '
            f'class="{"dot mine" if mine else "dot"}"><title>{escape(arxiv_id)}: {votes} upvotes'
            f"</title></circle>"
        )
    label = f"#{rank} of {len(day_upvotes)} papers that day by upvotes"
    return (
        f'<svg class="chart strip" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<line x1="{pad}" y1="{height / 2}" x2="{width - pad}" y2="{height / 2}" class="base"/>'
        + "".join(dots)
        + f'<text x="{pad}" y="{height - 2}" class="axis">0</text>'
        f'<text x="{width - pad}" y="{height - 2}" text-anchor="end" class="axis">{peak}</text>'
        f'<text x="{width / 2}" y="11" text-anchor="middle" class="axis">{escape(label)}</text>'
        "</svg>"
    )


def _votes_of(day_upvotes: list[tuple[str, int]], arxiv_id: str) -> int:
    return next((v for a, v in day_upvotes if a == arxiv_id), 0)
