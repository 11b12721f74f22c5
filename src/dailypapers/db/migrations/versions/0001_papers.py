"""Papers, authors, feed entries and meta.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("arxiv_id", sa.String(64), nullable=False, unique=True),
        sa.Column("version", sa.Integer),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("abstract", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime),
        sa.Column("github_repo", sa.String(500)),
        sa.Column("github_stars", sa.Integer),
        sa.Column("project_page", sa.String(500)),
        sa.Column("organization", sa.String(300)),
        sa.Column("upvotes", sa.Integer, nullable=False),
        sa.Column("num_comments", sa.Integer, nullable=False),
        sa.Column("observed_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "paper_authors",
        sa.Column(
            "paper_id",
            sa.Integer,
            sa.ForeignKey("papers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
    )
    op.create_table(
        "feed_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "paper_id",
            sa.Integer,
            sa.ForeignKey("papers.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("feed_date", sa.Date, nullable=False),
        sa.Column("submitted_at", sa.DateTime),
        sa.Column("submitted_by", sa.String(300)),
        sa.Column("source", sa.String(32), nullable=False),
        sa.UniqueConstraint("paper_id", "feed_date", name="uq_feed_entries_paper_day"),
    )
    op.create_index("ix_feed_entries_feed_date", "feed_entries", ["feed_date"])
    op.create_table(
        "meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("meta")
    op.drop_index("ix_feed_entries_feed_date", table_name="feed_entries")
    op.drop_table("feed_entries")
    op.drop_table("paper_authors")
    op.drop_table("papers")
