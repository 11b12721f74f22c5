"""SQL the importers keep for themselves: harvest checkpoints and small key/value notes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dailypapers.db.models import HarvestCheckpoint, Meta


class IngestStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def checkpoint(self, key: str) -> HarvestCheckpoint:
        found = self.session.get(HarvestCheckpoint, key)
        return found or HarvestCheckpoint(
            key=key, resumption_token=None, pages=0, records=0, done=False
        )

    def save_checkpoint(self, key: str, token: str | None, records: int, done: bool) -> None:
        row = self.session.get(HarvestCheckpoint, key)
        if row is None:
            row = HarvestCheckpoint(key=key, pages=0, records=0)
            self.session.add(row)
        row.resumption_token = token
        row.pages += 1
        row.records += records
        row.done = done

    def get_meta(self, key: str) -> str | None:
        row = self.session.get(Meta, key)
        return row.value if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.session.merge(Meta(key=key, value=value))
