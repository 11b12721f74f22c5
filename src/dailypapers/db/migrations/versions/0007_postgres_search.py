"""PostgreSQL's own search: a tsvector per paper (GIN) and a pgvector column with an HNSW index.

Only on PostgreSQL; SQLite keeps the embedded engines (tantivy + in-memory vectors). Without the
`vector` extension the full-text part is still created and vectors stay in memory (logged).

Revision ID: 0007
Revises: 0006
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
log = logging.getLogger(__name__)
DIM = 384  # all-MiniLM-L6-v2


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE paper_search (paper_id integer PRIMARY KEY "
        "REFERENCES papers(id) ON DELETE CASCADE, document tsvector NOT NULL)"
    )
    op.execute("CREATE INDEX ix_paper_search_document ON paper_search USING gin (document)")
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).scalar()
    if not available:
        log.warning("pgvector is not installed: semantic search keeps its vectors in memory")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(f"ALTER TABLE paper_embeddings ADD COLUMN embedding vector({DIM})")
    op.execute(
        "CREATE INDEX ix_paper_embeddings_hnsw ON paper_embeddings "
        "USING hnsw (embedding vector_ip_ops) WITH (m = 16, ef_construction = 64)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_paper_embeddings_hnsw")
    op.execute("ALTER TABLE paper_embeddings DROP COLUMN IF EXISTS embedding")
    op.execute("DROP TABLE IF EXISTS paper_search")
