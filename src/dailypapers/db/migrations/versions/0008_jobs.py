"""Scheduled jobs: a lease row per job (one runner at a time across processes and hosts) and the
history of runs; an index on papers.published_at for arXiv's own listing ("New on arXiv").

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("lease_owner", sa.String(200)),
        sa.Column("lease_until", sa.DateTime()),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job", sa.String(50), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime()),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("error", sa.Text()),
    )
    op.create_index("ix_job_runs_job_started", "job_runs", ["job", "started_at"])
    op.create_index("ix_papers_published_at", "papers", ["published_at"])


def downgrade() -> None:
    op.drop_index("ix_papers_published_at", "papers")
    op.drop_index("ix_job_runs_job_started", "job_runs")
    op.drop_table("job_runs")
    op.drop_table("jobs")
