"""Papers count the comments posted here apart from the ones imported from the source; author
names are indexed ignoring case (a query that is an author's name puts their papers first).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "papers",
        sa.Column("community_comments", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE papers SET community_comments = (SELECT count(*) FROM comments c "
        "WHERE c.paper_id = papers.id AND c.hidden = false AND c.deleted = false)"
    )
    op.create_index("ix_paper_authors_name_lower", "paper_authors", [sa.text("lower(name)")])


def downgrade() -> None:
    op.drop_index("ix_paper_authors_name_lower", table_name="paper_authors")
    op.execute("ALTER TABLE papers DROP COLUMN community_comments")
