"""Search vectors sent by the importer

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Building each article's search vector on the server (migration 0007's trigger) was ~70% of an
import's server time on PostgreSQL. The importer now builds most vectors itself, on its reading
thread (db/logic/search_vector.py: exactly the server's result, or None), and hands them over
through ``marginalia_add_vectors``, which builds the rest with the same SQL. For the documents
of its own INSERT it turns the trigger off with the transaction-local setting
``marginalia.client_vectors``; every other writer still gets its vectors from the trigger.

The vector's SQL now lives in one function, ``marginalia_document_vector``, used by the triggers
and by ``marginalia_add_vectors``. That one runs as its owner (SECURITY DEFINER, like the
triggers: no rights on the index table needed) but only fills articles that have no vector yet,
and only those who may add articles may call it: its owner and the team's owners group
(``server init`` grants it too); a coder or reader cannot touch the index. SQLite: nothing.
"""

import importlib
from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_0007 = importlib.import_module("db.migrations.versions.0007_search_pg")

CLIENT_VECTORS = "marginalia.client_vectors"
OWNERS = "marginalia_owner"  # db/server.py's group of those who may add articles

UPGRADE = (
    f"""CREATE FUNCTION marginalia_document_vector(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {_0007.vector("body")} $$""",
    f"""CREATE OR REPLACE FUNCTION marginalia_document_fts_added() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        IF current_setting('{CLIENT_VECTORS}', true) = 'on' THEN
            RETURN NULL;  -- the importer sends these vectors itself
        END IF;
        INSERT INTO document_fts_pg (document_id, vector)
        SELECT id, marginalia_document_vector(text) FROM new_rows
        ON CONFLICT (document_id) DO UPDATE SET vector = EXCLUDED.vector;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION marginalia_document_fts() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
        INSERT INTO document_fts_pg (document_id, vector)
        VALUES (NEW.id, marginalia_document_vector(NEW.text))
        ON CONFLICT (document_id) DO UPDATE SET vector = EXCLUDED.vector;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION marginalia_add_vectors(hashes text[], vectors text[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        INSERT INTO document_fts_pg (document_id, vector)
        SELECT d.id, coalesce(CAST(v.vector AS tsvector), marginalia_document_vector(d.text))
        FROM unnest(hashes, vectors) AS v (sha256, vector)
        JOIN document AS d ON d.sha256 = v.sha256
        ON CONFLICT (document_id) DO NOTHING
    $$""",
    "REVOKE EXECUTE ON FUNCTION marginalia_add_vectors(text[], text[]) FROM PUBLIC",
    f"""DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNERS}') THEN
            GRANT EXECUTE ON FUNCTION marginalia_add_vectors(text[], text[]) TO {OWNERS};
        END IF;
    END $$""",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION marginalia_add_vectors(text[], text[])")
    for statement in _0007.POSTGRESQL[:2]:  # the trigger functions as 0007 wrote them
        op.execute(statement)
    op.execute("DROP FUNCTION marginalia_document_vector(text)")
