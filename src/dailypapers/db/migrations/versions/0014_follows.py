"""Authors by normalised name (paper_authors.name_key, filled here for every stored author),
follows of authors and organizations, saved searches.

Revision ID: 0014
Revises: 0013
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

SPECIAL = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i"})


def _key(name: str) -> str:
    # papers/authors.py's name_key as of this revision (a migration must not change later)
    if name.count(",") == 1:
        family, given = name.split(",")
        name = f"{given} {family}"
    plain = unicodedata.normalize("NFKD", name.lower().translate(SPECIAL))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    words = [w for w in re.split(r"[^a-z0-9]+", plain) if w]
    while len(words) > 1 and words[-1] in {"jr", "sr", "ii", "iii", "iv"}:
        words.pop()
    if not words:
        return ""
    return (words[0] if len(words) == 1 else f"{words[0][0]} {words[-1]}")[:120]


def upgrade() -> None:
    op.add_column("paper_authors", sa.Column("name_key", sa.String(120), nullable=True))
    bind = op.get_bind()
    authors = sa.table(
        "paper_authors", sa.column("paper_id"), sa.column("position"), sa.column("name"),
        sa.column("name_key"),
    )  # fmt: skip
    rows = bind.execute(sa.select(authors.c.paper_id, authors.c.position, authors.c.name)).all()
    update = (
        sa.update(authors)
        .where(authors.c.paper_id == sa.bindparam("p"), authors.c.position == sa.bindparam("i"))
        .values(name_key=sa.bindparam("k"))
    )
    for start in range(0, len(rows), 5000):
        batch = [{"p": r[0], "i": r[1], "k": _key(r[2])} for r in rows[start : start + 5000]]
        bind.execute(update, batch)
    op.create_index("ix_paper_authors_name_key", "paper_authors", ["name_key"])
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(120), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "kind", "key", name="uq_follows_user_kind_key"),
    )
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "query", name="uq_saved_searches_user_query"),
    )


def downgrade() -> None:
    op.drop_table("saved_searches")
    op.drop_table("follows")
    op.drop_index("ix_paper_authors_name_key", table_name="paper_authors")
    op.execute("ALTER TABLE paper_authors DROP COLUMN name_key")
