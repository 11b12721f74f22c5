"""What one `digest send` run did, for the command line and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RunReport:
    frequency: str
    period: str
    pool: int = 0
    readers: int = 0
    planned: int = 0
    empty: int = 0
    sent: int = 0
    retry_later: int = 0
    failed: int = 0
    stopped: str | None = None
    in_flight: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)
