"""Copy a whole instance from one database to another (e.g. SQLite to PostgreSQL), losing nothing.

Both ends are migrated to the same revision first; tables are copied parent-first in batches with
their primary keys, then PostgreSQL sequences are moved past the copied ids.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, Engine, Table, func, inspect, select, text

from dailypapers.db import migrate
from dailypapers.db.models import Base

BATCH = 5000


class CopyError(RuntimeError):
    """The target is not empty, or the copy did not match; the message says which table."""


def copy_database(
    source: Engine, target: Engine, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy every table; returns rows per table. Refuses a source that is not an instance (no
    schema: a wrong path or URL) and a target that already has rows."""
    if not inspect(source).has_table("alembic_version"):
        raise CopyError(
            f"the source ({source.url.render_as_string(hide_password=True)}) has no Daily Papers "
            "schema: is that the right database?"
        )
    migrate.upgrade(source)
    migrate.upgrade(target)
    tables = Base.metadata.sorted_tables  # parents before children
    with target.connect() as conn:
        for table in tables:
            if conn.execute(select(func.count()).select_from(table)).scalar():
                raise CopyError(
                    f"target table {table.name} is not empty; copy into a fresh database"
                )
    counts: dict[str, int] = {}
    with source.connect() as src, target.begin() as dst:
        for table in tables:
            copied = 0
            order = list(table.primary_key.columns)
            result = src.execution_options(stream_results=True).execute(
                select(table).order_by(*order)
            )
            for rows in result.mappings().partitions(BATCH):
                dst.execute(table.insert(), [dict(r) for r in rows])
                copied += len(rows)
                if progress:
                    progress(table.name, copied)
            counts[table.name] = copied
        if dst.dialect.name == "postgresql":
            move_sequences(dst, tables)
    _verify(source, target, counts)
    return counts


def move_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move each serial past the copied ids (a no-op where a table has no sequence)."""
    for table in tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or columns[0].type.python_type is not int:
            continue
        name = columns[0].name
        conn.execute(
            text(
                "SELECT setval(pg_get_serial_sequence(:t, :c), "
                f"COALESCE((SELECT MAX({name}) FROM {table.name}), 0) + 1, false)"
            ),
            {"t": table.name, "c": name},
        )


def _verify(source: Engine, target: Engine, counts: dict[str, int]) -> None:
    with target.connect() as conn:
        for table in Base.metadata.sorted_tables:
            found = conn.execute(select(func.count()).select_from(table)).scalar()
            if found != counts[table.name]:
                raise CopyError(
                    f"{table.name}: copied {counts[table.name]} rows, target has {found}"
                )
