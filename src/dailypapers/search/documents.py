"""What the search engines index for one paper. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")
MAX_SENTENCES = 24


@dataclass(frozen=True)
class SearchDoc:
    paper_id: int
    title: str
    abstract: str
    authors: tuple[str, ...] = ()

    @property
    def embedding_text(self) -> str:
        """Title and abstract, the input MiniLM was trained to compare."""
        return f"{self.title}. {self.abstract}".strip()

    @property
    def sentences(self) -> list[str]:
        return split_sentences(self.abstract) or [self.title]


def split_sentences(text: str) -> list[str]:
    """Abstract sentences worth embedding on their own (very short fragments are dropped)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text or "")]
    kept = [p for p in parts if len(p) > 20]
    if not kept and text.strip():
        kept = [text.strip()]
    return kept[:MAX_SENTENCES]
