"""What the search engines index for one paper. Pure."""

from __future__ import annotations

from dataclasses import dataclass


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
