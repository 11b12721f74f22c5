"""What Hugging Face sends beyond our columns: organization handle, submitter handle, and the
rest verbatim (papers.hf_fields). Local submissions get their submitter handle back at once;
imported papers get theirs when their responses are imported again (`dailypapers ingest hf-daily`
is idempotent and fills what is missing); the sources before this revision were not kept.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("papers", sa.Column("organization_name", sa.String(100), nullable=True))
    op.add_column("papers", sa.Column("hf_fields", sa.Text(), nullable=True))
    op.create_index("ix_papers_organization_name", "papers", ["organization_name"])
    op.add_column("feed_entries", sa.Column("submitter_name", sa.String(100), nullable=True))
    op.create_index("ix_feed_entries_submitter_name", "feed_entries", ["submitter_name"])
    op.execute(
        "UPDATE feed_entries SET submitter_name = submitted_by WHERE submitter_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_feed_entries_submitter_name", table_name="feed_entries")
    op.execute("ALTER TABLE feed_entries DROP COLUMN submitter_name")
    op.drop_index("ix_papers_organization_name", table_name="papers")
    op.execute("ALTER TABLE papers DROP COLUMN hf_fields")
    op.execute("ALTER TABLE papers DROP COLUMN organization_name")
