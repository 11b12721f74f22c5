from sqlalchemy import inspect

from dailypapers.db import migrate
from dailypapers.db.models import Base


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
