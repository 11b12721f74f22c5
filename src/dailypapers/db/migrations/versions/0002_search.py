"""Search: categories on papers, stored embeddings, and the lexical index queue.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.add_column(sa.Column("primary_category", sa.String(64)))
        batch.add_column(sa.Column("categories", sa.String(500)))
    op.create_table(
        "paper_embeddings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "paper_id",
            sa.Integer,
            sa.ForeignKey("papers.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.Column("sentence_vectors", sa.LargeBinary),
    )
    op.create_table(
        "search_queue",
        sa.Column("paper_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("queued_at", sa.DateTime, nullable=False),
    )
    # Everything already stored must reach the lexical index.
    op.execute("INSERT INTO search_queue (paper_id, queued_at) SELECT id, created_at FROM papers")


def downgrade() -> None:
    op.drop_table("search_queue")
    op.drop_table("paper_embeddings")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("categories")
        batch.drop_column("primary_category")
