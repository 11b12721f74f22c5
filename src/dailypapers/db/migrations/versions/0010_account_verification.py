"""Verified account emails, sign-ups waiting for their mailed link, usernames unique ignoring case.

Accounts made before this revision keep working, unverified (`email_verified_at` NULL) until their
owner opens a verification link. Where two usernames differ only in case, the later account is
renamed `<name>-<id>` (printed) so the case-insensitive index can be built.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(), nullable=True))
    op.create_table(
        "account_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False, unique=True),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    _rename_case_duplicates()
    op.create_index("ux_users_username_lower", "users", [sa.text("lower(username)")], unique=True)


def _rename_case_duplicates() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, username FROM users ORDER BY id")).all()
    seen: set[str] = set()
    for user_id, username in rows:
        if username.lower() not in seen:
            seen.add(username.lower())
            continue
        renamed = f"{username[: 39 - len(str(user_id))]}-{user_id}"
        bind.execute(
            sa.text("UPDATE users SET username = :new WHERE id = :id"),
            {"new": renamed, "id": user_id},
        )
        seen.add(renamed.lower())
        print(f"migration 0010: user {user_id} renamed {username!r} -> {renamed!r} (case clash)")


def downgrade() -> None:
    op.drop_index("ux_users_username_lower", table_name="users")
    op.drop_table("account_requests")
    # plain ALTER (SQLite 3.35+): a batch rebuild would drop `users` and cascade to its rows
    op.execute("ALTER TABLE users DROP COLUMN email_verified_at")
