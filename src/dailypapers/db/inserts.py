"""Insert-or-skip, one statement for both engines: rows whose unique key exists are left alone
(what makes reruns, concurrent writers and resumed imports harmless)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring(connection: Connection, table: Table, keys: list[str]) -> Any:
    """An INSERT for `table` that skips rows whose `keys` already exist."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing(index_elements=keys)
    return insert(table)  # other engines: a plain insert (a concurrent duplicate fails the batch)
