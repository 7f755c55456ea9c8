"""Full-text search index on PostgreSQL

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

SQLite searches through FTS5 (revision 0002); PostgreSQL read and regex-matched every article
for each search (0.76 s on 10,000 articles). It now keeps a ``tsvector`` of every article in
``document_fts_pg`` (one row per document, a GIN index), written by a trigger on ``document``
for every writer (import, merge, another program); deleting a document cascades. SQLite: nothing.

Why a side table and not a generated column or an expression index:
- An expression index would recompute the vector (0.7 ms per 4,000-character article) for each
  candidate row of a phrase query: GIN keeps no positions, so ``<->`` always rechecks the row.
  Stored, the recheck only reads the vector.
- A stored generated column on ``document`` would be a column that SQLite files lack while the
  model claims it (the schema-drift checks compare the models with both backends), and every
  ``SELECT document.*`` would drag 4 KB of vector along. The side table is named
  ``document_fts_…`` like FTS5's tables, which the drift check leaves out on SQLite.

The vector follows FTS5's ``unicode61 remove_diacritics 2`` tokenizer as closely as SQL allows,
so both backends find the same articles: the ``simple`` configuration (lower case, no stemming,
no stop words); diacritics removed (NFD, then the combining marks U+0300–U+036F dropped:
"Sisi" finds "Sīsī"); every ASCII punctuation mark and the common Unicode punctuation, symbol
and space blocks turned into spaces first, so "Israel-Hamas", "U.S.", "1.5", e-mail addresses
and URLs split into words as FTS5 splits them (PostgreSQL's parser would otherwise keep them
as single hyphenated, host, e-mail or number tokens, and phrases across them would not match).
The vector only chooses candidate articles; db/queries/search.py then matches the search in
each candidate's text exactly as FTS5 does, for the hit offsets.

On PostgreSQL the trigger function runs as its owner (SECURITY DEFINER): team members who may
write articles need no rights on the index table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with db/logic/search_vector.py (tests/db/test_search_vector.py checks).
SEPARATORS = (
    r"[!-/:-@\[-`{-~\u007f-\u00a9\u00ab-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7"
    r"\u2000-\u206f\u20a0-\u20cf\u2190-\u2bff\u3000-\u3003\u3008-\u3011\u3014-\u301f"
    r"\U0001f000-\U0001faff]+"
)
COMBINING_MARKS = r"[\u0300-\u036f]+"


def vector(column: str) -> str:
    """The SQL expression of one article's search vector."""
    folded = f"regexp_replace(normalize({column}, NFD), '{COMBINING_MARKS}', '', 'g')"
    return f"to_tsvector('simple', regexp_replace({folded}, '{SEPARATORS}', ' ', 'g'))"


def _function(name: str, rows: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    BEGIN
        INSERT INTO document_fts_pg (document_id, vector) SELECT id, {vector("text")} FROM {rows}
        ON CONFLICT (document_id) DO UPDATE SET vector = EXCLUDED.vector;
        RETURN NULL;
    END $$"""


POSTGRESQL = (
    # Imports add articles by the thousand: one firing per statement over its new rows. An
    # edited text is one row (and a column list cannot go with transition tables).
    _function("marginalia_document_fts_added", "new_rows"),
    _function("marginalia_document_fts", "(SELECT NEW.id, NEW.text) AS edited (id, text)"),
    """CREATE TRIGGER document_fts_pg_insert AFTER INSERT ON document
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION marginalia_document_fts_added()""",
    """CREATE TRIGGER document_fts_pg_write AFTER UPDATE OF text ON document
    FOR EACH ROW EXECUTE FUNCTION marginalia_document_fts()""",
    f"INSERT INTO document_fts_pg (document_id, vector) SELECT id, {vector('text')} FROM document",
    "ANALYZE document_fts_pg",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "document_fts_pg",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("vector", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_document_fts_pg_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_fts_pg")),
    )
    op.create_index(
        "ix_document_fts_pg_vector", "document_fts_pg", ["vector"], postgresql_using="gin"
    )
    for statement in POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS document_fts_pg_insert ON document")
    op.execute("DROP TRIGGER IF EXISTS document_fts_pg_write ON document")
    op.execute("DROP FUNCTION IF EXISTS marginalia_document_fts_added()")
    op.execute("DROP FUNCTION IF EXISTS marginalia_document_fts()")
    op.drop_index("ix_document_fts_pg_vector", table_name="document_fts_pg")
    op.drop_table("document_fts_pg")
