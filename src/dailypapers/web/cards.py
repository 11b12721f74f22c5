"""Cards that signed-in readers share: a feed page's cards are rendered once for everyone (kept
for the anonymous cache's few seconds) with a hole where each reader's own buttons go; a request
fills the holes with that reader's vote and save buttons, fresh vote counts and their CSRF token.

What a reader does shows at once (their pressed buttons and the counts are read per request);
what others change on a card (comments, a new title) shows within `seconds`, as for anonymous
readers. bench/web.py "HTML / signed in" measures it.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from dailypapers.papers.services import FeedPage

CSRF = "<!--dp:csrf-->"
COUNT = "<!--dp:count-->"
_HOLE = re.compile(r"<!--dp:(vote|save):(\d+)-->")


@dataclass(frozen=True)
class SharedCards:
    feed: FeedPage
    chart: str
    paper_ids: list[int]
    html: str  # the cards, with a hole per reader's button
    buttons: Mapping[tuple[str, int, bool], str]  # (vote|save, paper id, pressed) -> HTML

    def fill(self, voted: set[int], saved: set[int], votes: Mapping[int, int], csrf: str) -> Markup:
        """The cards as one reader sees them."""
        mine = {"vote": voted, "save": saved}

        def button(match: re.Match[str]) -> str:
            kind, paper_id = match.group(1), int(match.group(2))
            html = self.buttons[(kind, paper_id, paper_id in mine[kind])]
            return html.replace(COUNT, str(votes.get(paper_id, 0)))

        return Markup(_HOLE.sub(button, self.html).replace(CSRF, csrf))


def render_shared(
    env: Environment, feed: FeedPage, chart: str, context: Mapping[str, Any]
) -> SharedCards:
    """Render the cards with holes, and both states of every card's buttons."""
    cards = env.get_template("_cards.html")
    html = cards.render({**context, "feed": feed, "holes": True, "current_user": True})
    buttons: dict[tuple[str, int, bool], str] = {}
    vote, save = env.get_template("_vote.html"), env.get_template("_save.html")
    for item in feed.items:
        paper, paper_id = item.paper, item.paper.id
        for pressed in (False, True):
            marked = {paper_id} if pressed else set()
            common = {"paper": paper, "current_user": True, "csrf": Markup(CSRF)}
            buttons[("vote", paper_id, pressed)] = vote.render(
                {**common, "voted": marked, "count": Markup(COUNT)}
            )
            buttons[("save", paper_id, pressed)] = save.render({**common, "saved": marked})
    ids = [item.paper.id for item in feed.items]
    return SharedCards(feed, chart, ids, html, buttons)


class Shelf:
    """A few seconds' worth of shared values, one computation per key at a time."""

    def __init__(self, seconds: float, size: int = 256) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        if self.seconds <= 0:
            return compute()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:  # one computes; the others wait for it instead of computing too
            hit = self._entries.get(key)
            if hit is not None and hit[0] > time.monotonic():
                return hit[1]
            value = compute()
            with self._lock:
                self._entries[key] = (time.monotonic() + self.seconds, value)
                self._entries.move_to_end(key)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
                self._computing.pop(key, None)
            return value
