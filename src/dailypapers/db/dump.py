"""A whole instance as one portable file, and back: `dailypapers export DUMP` / `import DUMP`.

The dump is JSON lines (gzip when the name ends in .gz): a header line naming the format and schema
revision, then one line per row, `{"t": table, "r": {column: value}}`, parents before children.
Dates are ISO 8601, bytes are base64. Importing inserts with "skip what exists" by primary key, so
an interrupted import can be rerun; a line that cannot be read is reported with its line number
and skipped, and the rest lands.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, Table, select
from sqlalchemy.exc import IntegrityError

from dailypapers.db import migrate
from dailypapers.db.copy import move_sequences
from dailypapers.db.inserts import insert_ignoring
from dailypapers.db.models import Base

FORMAT = "dailypapers-dump"
VERSION = 1
BATCH = 2000
# rebuilt on demand, never worth moving: rate-limit counters
SKIPPED_TABLES = frozenset({"rate_events", "jobs"})  # counters and leases are transient


class DumpError(RuntimeError):
    """The file is not a dump this version can read; the message says why."""


@dataclass
class ImportReport:
    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # the file could not be read to its end (a truncated or damaged gzip, bytes that are not
    # UTF-8): where and why; what was read before it is kept
    broken: str | None = None


def tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _open(path: Path, mode: str, gz: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gz is None else gz:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    return value


def export_dump(
    engine: Engine, path: Path, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Write every table to `path`; returns rows per table."""
    counts: dict[str, int] = {}
    temp = path.with_name(path.name + ".partial")
    migrate.upgrade(engine)
    with engine.connect() as conn, _open(temp, "w", gz=path.suffix == ".gz") as out:
        header = {"format": FORMAT, "version": VERSION, "schema": migrate.head()}
        out.write(json.dumps(header) + "\n")
        for table in tables():
            order = list(table.primary_key.columns)
            result = conn.execution_options(stream_results=True).execute(
                select(table).order_by(*order)
            )
            counts[table.name] = 0
            for rows in result.mappings().partitions(BATCH):
                for row in rows:
                    line = {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}
                    out.write(json.dumps(line, ensure_ascii=False) + "\n")
                counts[table.name] += len(rows)
                if progress:
                    progress(table.name, len(rows))
    temp.replace(path)  # a dump file is complete or absent
    return counts


def import_dump(
    engine: Engine, path: Path, progress: Callable[[str, int], None] | None = None
) -> ImportReport:
    """Load a dump into `engine` (migrated to the dump's schema first); rows that exist are kept."""
    by_name = {t.name: t for t in tables()}
    report = ImportReport()
    with _open(path, "r") as opened:
        lines = _readable(opened, report)
        first = next(lines, "")
        if report.broken:
            raise DumpError(f"unreadable {report.broken}")
        header = _header(first)
        if not migrate.known(str(header.get("schema"))):
            raise DumpError(
                f"the dump's schema {header.get('schema')!r} is newer than this version knows; "
                "upgrade Daily Papers first"
            )
        migrate.upgrade(engine)
        pending: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        with engine.begin() as conn:
            for number, table, row in _rows(lines, by_name, report):
                pending.setdefault(table.name, []).append((number, row))
                if len(pending[table.name]) >= BATCH:
                    _flush(conn, by_name, pending, report, progress)
            _flush(conn, by_name, pending, report, progress)
            if conn.dialect.name == "postgresql":
                move_sequences(conn, tables())
    return report


def _readable(lines: Iterator[str], report: ImportReport) -> Iterator[str]:
    """The file's lines until it cannot be read further; then `report.broken` says where."""
    number = 0
    try:
        for number, line in enumerate(lines, start=1):  # noqa: B007 - read after the loop
            yield line
    except (EOFError, OSError, UnicodeDecodeError, zlib.error) as exc:
        reason = "the file ends early (cut off)" if isinstance(exc, EOFError) else str(exc)
        report.broken = f"at line {number + 1}: {reason[:200]}"


def _header(line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DumpError("line 1: not a Daily Papers dump (no JSON header)") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DumpError("line 1: not a Daily Papers dump")
    if header.get("version") != VERSION:
        raise DumpError(f"dump format version {header.get('version')}; this reads {VERSION}")
    return header


def _rows(
    lines: Iterator[str], by_name: dict[str, Table], report: ImportReport
) -> Iterator[tuple[int, Table, dict[str, Any]]]:
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            table = by_name[item["t"]]
            row = {name: _decode(table, name, value) for name, value in item["r"].items()}
            missing = [c.name for c in table.primary_key.columns if row.get(c.name) is None]
            if missing:
                raise ValueError(f"no value for {', '.join(missing)}")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            reason = f"unknown table or column {exc}" if isinstance(exc, KeyError) else str(exc)
            report.problems.append(f"line {number}: {reason[:200]}")
            continue
        yield number, table, row


def _decode(table: Table, name: str, value: Any) -> Any:
    column = table.columns[name]
    if value is None:
        return None
    kind = column.type.python_type
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is bytes:
        return base64.b64decode(value["b64"], validate=True)
    if kind is bool and not isinstance(value, bool):
        raise ValueError(f"{name}: not a boolean")
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"{name}: not an integer")
    if kind is str and not isinstance(value, str):
        raise ValueError(f"{name}: not text")
    return value


def _flush(
    conn: Any,
    by_name: dict[str, Table],
    pending: dict[str, list[tuple[int, dict[str, Any]]]],
    report: ImportReport,
    progress: Callable[[str, int], None] | None,
) -> None:
    # parents first, whatever order the lines came in
    for table in by_name.values():
        numbered = pending.pop(table.name, [])
        if not numbered:
            continue
        keys = [c.name for c in table.primary_key.columns]
        statement = insert_ignoring(conn, table, keys)
        try:
            with conn.begin_nested():
                conn.execute(statement, [row for _, row in numbered])
            landed = len(numbered)
        except IntegrityError:
            landed = _one_by_one(conn, statement, numbered, report)
        report.rows[table.name] = report.rows.get(table.name, 0) + landed
        if progress:
            progress(table.name, landed)


def _one_by_one(
    conn: Any, statement: Any, numbered: list[tuple[int, dict[str, Any]]], report: ImportReport
) -> int:
    """A batch broke a constraint (a row whose parent line was skipped): find which rows."""
    landed = 0
    for number, row in numbered:
        try:
            with conn.begin_nested():
                conn.execute(statement, row)
            landed += 1
        except IntegrityError as exc:
            report.problems.append(f"line {number}: {str(exc.orig).splitlines()[0][:200]}")
    return landed
