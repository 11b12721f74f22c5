"""Many rows at once: on SQLite they skip SQLAlchemy's per-row handling, so what is stored must
be exactly what SQLAlchemy stores (read back raw, column by column), on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, delete, insert, select, text

from dailypapers.db.inserts import _sqlite_plan, insert_ignoring, insert_many
from dailypapers.db.models import Paper, SearchChange

UTC_PLUS_2 = dt.timezone(dt.timedelta(hours=2))


def rows() -> list[dict]:
    base = {"version": 1, "upvotes": 0, "num_comments": 0, "updated_at": dt.datetime(2026, 1, 1)}
    return [
        {**base, "arxiv_id": "2601.00001", "title": "Whole seconds",
         "observed_at": dt.datetime(2026, 3, 4, 5, 6, 7), "created_at": dt.datetime(2026, 1, 2)},
        {**base, "arxiv_id": "2601.00002", "title": "Microseconds and a time zone",
         "observed_at": dt.datetime(2026, 3, 4, 5, 6, 7, 89, tzinfo=UTC_PLUS_2),
         "created_at": dt.datetime(999, 12, 31, 23, 59, 59, 999999)},
        {**base, "arxiv_id": "2601.00003", "title": "Nothing observed", "observed_at": None,
         "created_at": dt.datetime(2026, 1, 2, 0, 0, 0, 1)},
    ]  # fmt: skip


def stored(engine: Engine) -> list[tuple]:
    with engine.connect() as connection:
        raw = text(
            "SELECT arxiv_id, title, abstract, hidden, community_votes, observed_at, created_at "
            "FROM papers ORDER BY arxiv_id"
        )
        return [tuple(r) for r in connection.execute(raw)]


def test_many_rows_are_stored_as_sqlalchemy_stores_them(engine: Engine):
    with engine.begin() as connection:
        connection.execute(insert(Paper), rows())  # SQLAlchemy's own path
    want = stored(engine)
    with engine.begin() as connection:
        connection.execute(delete(Paper))
        statement = insert_ignoring(connection, Paper.__table__, ["arxiv_id"])
        if engine.dialect.name == "sqlite":  # the driver path is the one under test
            assert _sqlite_plan(connection, statement, list(rows()[0])) is not None
        insert_many(connection, statement, rows())
    assert stored(engine) == want
    assert want[0][2:5] in (("", 0, 0), ("", False, 0))  # the columns' defaults were filled in
    with engine.connect() as connection:  # and read back as the ORM reads them
        times = connection.execute(select(Paper.created_at).order_by(Paper.arxiv_id)).scalars()
        assert list(times) == [r["created_at"] for r in rows()]


def test_existing_rows_are_skipped_and_a_computed_default_still_works(engine: Engine):
    with engine.begin() as connection:
        statement = insert_ignoring(connection, Paper.__table__, ["arxiv_id"])
        insert_many(connection, statement, rows()[:2])
        again = [{**r, "title": "changed"} for r in rows()]
        insert_many(connection, statement, again)  # two exist: skipped, one new
        insert_many(connection, insert(SearchChange), [{"paper_id": 1}, {"paper_id": 2}])
    titles = [r[1] for r in stored(engine)]
    assert titles == ["Whole seconds", "Microseconds and a time zone", "changed"]
    with engine.connect() as connection:  # changed_at came from its default, per row
        times = connection.execute(select(SearchChange.changed_at)).scalars().all()
    assert len(times) == 2 and all(isinstance(t, dt.datetime) for t in times)


def test_a_bulk_command_gets_a_big_cache_and_the_web_does_not(tmp_path):
    """The snapshot import's engine: 64 MB of page cache and rare checkpoints; every other
    engine keeps SQLite's defaults (a web worker holds many pooled connections)."""
    from dailypapers.config import Settings
    from dailypapers.db.engine import make_engine

    settings = Settings(data_dir=tmp_path, env="test", search_worker=False)

    def pragmas(bulk: bool) -> tuple:
        engine = make_engine(settings, bulk=bulk)
        with engine.connect() as connection:
            read = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            found = read("cache_size"), read("wal_autocheckpoint")
        engine.dispose()
        return found

    assert pragmas(bulk=True) == (-65536, 100000)
    assert pragmas(bulk=False) == (-2000, 1000)


def test_a_checkpoint_puts_the_bulk_log_into_the_database_file(tmp_path, sessions):
    """What a bulk command wrote lives in SQLite's log until a checkpoint; `checkpoint` copies
    it into the database file while connections stay open (PostgreSQL: nothing to do)."""
    import shutil
    import sqlite3

    from dailypapers.config import Settings
    from dailypapers.db import migrate
    from dailypapers.db.engine import checkpoint, make_engine, make_sessionmaker

    checkpoint(sessions)  # whatever the test database is: no error
    engine = make_engine(Settings(data_dir=tmp_path / "bulk", env="test"), bulk=True)
    migrate.upgrade(engine)
    bulk = make_sessionmaker(engine)
    with bulk() as session:
        insert_many(session.connection(), insert(Paper), rows())
        session.commit()

    def titles_in_the_file_alone() -> list[str]:
        alone = tmp_path / "alone.db"  # the database file without its log beside it
        shutil.copy(tmp_path / "bulk" / "dailypapers.db", alone)
        try:
            with sqlite3.connect(alone) as connection:
                return [t for (t,) in connection.execute("SELECT title FROM papers")]
        except sqlite3.OperationalError:  # no papers table yet: the schema is in the log too
            return []
        finally:
            alone.unlink()

    with bulk() as reader:  # a reader stays open meanwhile, as the follower does
        reader.execute(select(Paper.id)).all()
        assert titles_in_the_file_alone() == []
        checkpoint(bulk)
        assert sorted(titles_in_the_file_alone()) == sorted(r["title"] for r in rows())
    engine.dispose()
