"""PostgreSQL team server: roles, grants and row-level security that the server enforces.

``init`` migrates the schema and creates three group roles; ``add_coder`` creates a login role
in one of them and the matching coder row (the coder's name is the database user name).

- marginalia_owner: everything (codebook, vocabularies, imports, coders).
- marginalia_coder: reads everything; writes only their own annotations, tags, statements,
  status rows and history entries — enforced by row-level security, so raw SQL from psql cannot
  touch another coder's rows either.
- marginalia_reader: reads and exports only.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, select, text

from db.engine import make_engine
from db.errors import InvalidInput
from db.migrate import upgrade
from db.models import Coder
from db.queries.comparison import GOLD_ROLE

ROLES = ("owner", "coder", "reader")
GROUP = {role: f"marginalia_{role}" for role in ROLES}
OWN_TABLES = ("annotation", "annotation_code", "statement", "document_status", "event")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,62}$")

MINE = "(SELECT id FROM coder WHERE name = current_user)"
POLICIES = {
    "annotation": f"coder_id = {MINE}",
    "annotation_code": f"annotation_id IN (SELECT id FROM annotation WHERE coder_id = {MINE})",
    "statement": f"annotation_id IN (SELECT id FROM annotation WHERE coder_id = {MINE})",
    "document_status": f"coder_id = {MINE}",
    "event": f"coder_id = {MINE}",
}


def init(url: str) -> None:
    """Create or update the schema, group roles, grants and policies (safe to run again)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with engine.begin() as c:
            for group in GROUP.values():
                exists = c.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :g"), {"g": group})
                if exists.first() is None:
                    c.execute(text(f"CREATE ROLE {group} NOLOGIN"))
            everyone = ", ".join(GROUP.values())
            c.execute(text(f"GRANT USAGE ON SCHEMA public TO {everyone}"))
            c.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {everyone}"))
            c.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {GROUP['owner']}"))
            c.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {GROUP['owner']}"))
            c.execute(
                text(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(OWN_TABLES)} TO {GROUP['coder']}")
            )
            c.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {GROUP['coder']}"))
            c.execute(  # handing over search vectors for new articles (migration 0009)
                text(
                    "GRANT EXECUTE ON FUNCTION marginalia_add_vectors(text[], text[]) "
                    f"TO {GROUP['owner']}"
                )
            )
            # Tables a later upgrade creates (by whoever runs it) are readable by every member.
            defaults = "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT"
            c.execute(text(f"{defaults} SELECT ON TABLES TO {everyone}"))
            c.execute(text(f"{defaults} ALL ON TABLES TO {GROUP['owner']}"))
            c.execute(text(f"{defaults} ALL ON SEQUENCES TO {GROUP['owner']}"))
            for table, own in POLICIES.items():
                c.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
                c.execute(text(f"DROP POLICY IF EXISTS read_all ON {table}"))
                c.execute(text(f"CREATE POLICY read_all ON {table} FOR SELECT USING (true)"))
                c.execute(text(f"DROP POLICY IF EXISTS owner_all ON {table}"))
                c.execute(
                    text(
                        f"CREATE POLICY owner_all ON {table} TO {GROUP['owner']} USING (true) "
                        "WITH CHECK (true)"
                    )
                )
                c.execute(text(f"DROP POLICY IF EXISTS coder_own ON {table}"))
                c.execute(
                    text(
                        f"CREATE POLICY coder_own ON {table} TO {GROUP['coder']} "
                        f"USING ({own}) WITH CHECK ({own})"
                    )
                )
    finally:
        engine.dispose()


def add_coder(url: str, name: str, password: str, role: str = "coder") -> None:
    """A login role in the role's group, and the coder row its annotations will point to."""
    if role not in ROLES:
        raise InvalidInput(f"A role is one of: {', '.join(ROLES)}.")
    if not _NAME.match(name):
        raise InvalidInput("A server coder name is a letter then letters, digits, _ . or -.")
    engine: Engine = make_engine(url)
    try:
        with engine.begin() as c:
            coder_id, held = c.execute(
                select(Coder.id, Coder.role).where(Coder.name == name)
            ).first() or (None, None)
            if held == GOLD_ROLE:
                raise InvalidInput(
                    f"“{name}” is the adjudicated gold layer, not a person; choose another name."
                )
            exists = c.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
            ).first()
            from psycopg import sql  # PostgreSQL only: DDL cannot take bound parameters

            verb = "ALTER" if exists else "CREATE"
            raw = c.connection.driver_connection  # the same transaction, quoting by psycopg
            raw.execute(
                sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
            raw.execute(
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(GROUP[role]), sql.Identifier(name))
            )
            if coder_id is None:
                c.execute(Coder.__table__.insert().values(name=name, role=role))
            else:
                c.execute(Coder.__table__.update().where(Coder.id == coder_id).values(role=role))
    finally:
        engine.dispose()
