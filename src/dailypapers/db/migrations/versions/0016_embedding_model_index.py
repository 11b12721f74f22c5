"""An index on the embeddings' model: how many papers wait for an embedding (`status`, /admin,
/metrics at every scrape) was a scan of every embedding row, each ~7.5 KB with its sentence
vectors (1.5 s a count at 200k papers from a cold cache); now the papers are counted, less the
model's embeddings counted from this index.

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_paper_embeddings_model", "paper_embeddings", ["model"])


def downgrade() -> None:
    op.drop_index("ix_paper_embeddings_model", table_name="paper_embeddings")
