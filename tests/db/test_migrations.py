from sqlalchemy import inspect

from dailypapers.db import migrate
from dailypapers.db.models import Base
from tests.factories import record, store_records


def test_migrations_build_the_model_schema_and_downgrade(engine):
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(Base.metadata.tables)
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == tables


def test_upgrade_is_idempotent(engine):
    def state():
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        return version, sorted(inspect(engine).get_table_names())

    before = state()
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert state() == before and len(before[0]) == 1


def test_the_search_queue_becomes_the_change_log_and_back(engine, sessions):
    """0015: what was still queued for the lexical index is carried into the change log (each
    host's index then applies it); downgrading queues it again."""
    store_records(sessions, record(title="Queued before the upgrade"))
    migrate.downgrade(engine, "0014")
    with engine.begin() as conn:
        queued = conn.exec_driver_sql("SELECT paper_id FROM search_queue").scalars().all()
        conn.exec_driver_sql("DELETE FROM search_queue")
        conn.exec_driver_sql(
            "INSERT INTO search_queue (paper_id, queued_at) VALUES (41, '2026-11-01 10:00:00'),"
            " (42, '2026-11-02 10:00:00')"
        )
    assert len(queued) == 1
    migrate.upgrade(engine)
    with engine.connect() as conn:
        logged = (
            conn.exec_driver_sql("SELECT paper_id FROM search_changes ORDER BY txid, seq")
            .scalars()
            .all()
        )
    assert logged == [41, 42]


def test_the_newest_revision_is_alembics_head_and_needs_no_alembic(engine, tmp_path):
    import subprocess
    import sys

    from alembic.script import ScriptDirectory

    assert (
        migrate.head() == ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    )
    assert migrate.current(engine) == migrate.head()
    migrate.downgrade(engine, "0014")
    assert migrate.current(engine) == "0014"
    migrate.upgrade(engine)  # not at the head: Alembic runs
    assert migrate.current(engine) == migrate.head()
    # a database at the head is upgraded without loading Alembic at all
    script = (
        "import sys\n"
        "from dailypapers.config import Settings\n"
        "from dailypapers.db import migrate\n"
        "from dailypapers.db.engine import make_engine\n"
        f"engine = make_engine(Settings(env='test', data_dir={str(tmp_path / 'fresh')!r}))\n"
        "migrate.upgrade(engine)\n"
        "assert 'alembic' not in sys.modules, 'first upgrade loads it'\n"
    )
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert first.returncode == 1 and "first upgrade loads it" in first.stderr  # a new database
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr


def test_0016_indexes_the_embeddings_model_and_back(engine):
    def indexes():
        return {i["name"] for i in inspect(engine).get_indexes("paper_embeddings")}

    assert "ix_paper_embeddings_model" in indexes()
    migrate.downgrade(engine, "0015")
    assert "ix_paper_embeddings_model" not in indexes()
    migrate.upgrade(engine)
    assert "ix_paper_embeddings_model" in indexes()
