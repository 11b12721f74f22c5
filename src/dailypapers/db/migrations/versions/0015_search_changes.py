"""The lexical index queue becomes a change log that every host reads after its own cursor, so
each host can keep its own BM25 index in step with one shared database; PostgreSQL's full-text
table (migration 0007) goes, its ranking replaced by that index (docs/decisions.md).

On PostgreSQL a change row carries its transaction's id, so a reader passes no change whose
transaction is still open (a lower sequence number can commit after a higher one).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "search_changes",
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("txid", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sqlite_autoincrement=True,
    )
    if postgres:
        op.execute(
            "ALTER TABLE search_changes ALTER COLUMN txid "
            "SET DEFAULT (pg_current_xact_id()::text::bigint)"
        )
    op.create_index("ix_search_changes_txid_seq", "search_changes", ["txid", "seq"])
    # what was still queued reaches every index (an index that exists applies the log from the
    # start; a new one is built from the papers table)
    op.execute(
        "INSERT INTO search_changes (paper_id, changed_at) "
        "SELECT paper_id, queued_at FROM search_queue ORDER BY queued_at, paper_id"
    )
    op.drop_table("search_queue")
    if postgres:
        op.execute("DROP TABLE IF EXISTS paper_search")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "search_queue",
        sa.Column("paper_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("queued_at", sa.DateTime, nullable=False),
    )
    if postgres:  # 0007's full-text table comes back empty: queue every paper to refill it
        op.execute(
            "CREATE TABLE paper_search (paper_id integer PRIMARY KEY "
            "REFERENCES papers(id) ON DELETE CASCADE, document tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_paper_search_document ON paper_search USING gin (document)")
        op.execute("INSERT INTO search_queue (paper_id, queued_at) SELECT id, now() FROM papers")
    else:
        op.execute(
            "INSERT INTO search_queue (paper_id, queued_at) "
            "SELECT paper_id, max(changed_at) FROM search_changes GROUP BY paper_id"
        )
    op.drop_table("search_changes")
