"""arXiv metadata on papers, and checkpoints for resumable harvests.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.add_column(sa.Column("arxiv_updated_at", sa.DateTime))
        batch.add_column(sa.Column("comments", sa.Text))
        batch.add_column(sa.Column("journal_ref", sa.String(500)))
        batch.add_column(sa.Column("doi", sa.String(200)))
    op.create_table(
        "harvest_checkpoints",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("resumption_token", sa.Text),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("harvest_checkpoints")
    with op.batch_alter_table("papers") as batch:
        for column in ("doi", "journal_ref", "comments", "arxiv_updated_at"):
            batch.drop_column(column)
