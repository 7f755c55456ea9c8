"""Change notifications on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Other programs LISTEN on the "marginalia" channel: every committed change to the event log,
the articles or the codebook sends one notification (statement-level triggers), so open windows
refresh within a moment without polling the tables. SQLite has no such thing (it polls
PRAGMA data_version instead), so this revision does nothing there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("event", "document", "code", "actor", "issue")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """CREATE OR REPLACE FUNCTION marginalia_notify() RETURNS trigger AS $$
        BEGIN PERFORM pg_notify('marginalia', TG_TABLE_NAME); RETURN NULL; END;
        $$ LANGUAGE plpgsql"""
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION marginalia_notify()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
    op.execute("DROP FUNCTION IF EXISTS marginalia_notify()")
