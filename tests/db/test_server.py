"""Server-enforced roles on PostgreSQL: a coder cannot touch another coder's rows, even in SQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db import server
from db.cli import main as cli_main
from db.errors import ProjectWriteError
from db.logic.comparison import Target
from db.service import ProjectService

INSERT = """INSERT INTO annotation (uuid, document_id, coder_id, start, "end", quote, prefix,
suffix, memo, created_at, modified_at) VALUES ('x', :d, 1, 0, 5, 'x', '', '', '', now(), now())"""


def as_user(url: str, name: str, password: str) -> str:
    return make_url(url).set(username=name, password=password).render_as_string(hide_password=False)


@pytest.fixture
def team(pg_url, corpus_files):
    """A server project with owner-made codebook and articles, and three members."""
    suffix = uuid.uuid4().hex[:6]
    names = {role: f"{role}_{suffix}" for role in ("ann", "bob", "rita")}
    assert cli_main(["server", "init", pg_url]) == 0
    owner = ProjectService.open(pg_url)
    owner.use_coder("postgres")
    owner.import_files(corpus_files)
    owner.create_code("Truce")
    owner.close()
    server.add_coder(pg_url, names["ann"], "pw-a:1%", "coder")
    assert cli_main(["server", "add-coder", pg_url, names["bob"], "--password", "pw-b"]) == 0
    server.add_coder(pg_url, names["rita"], "pw-r", "reader")
    yield pg_url, names
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        for name in names.values():
            c.exec_driver_sql(f'DROP OWNED BY "{name}"')
            c.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')
    admin.dispose()


def test_coders_write_their_own_and_cannot_touch_others(team):
    url, names = team
    ann = ProjectService.open(as_user(url, names["ann"], "pw-a:1%"), create=False)
    ann.use_coder(names["ann"])
    doc = ann.documents()[0].id
    code = ann.codes()[0].id
    annotation_id, _ = ann.annotate(doc, None, 0, 12, [code])
    ann.set_memo(annotation_id, "mine")
    ann.close()

    bob = ProjectService.open(as_user(url, names["bob"], "pw-b"), create=False)
    bob.use_coder(names["bob"])
    assert [a.memo for a in bob.annotations(doc)] == ["mine"]  # everyone reads
    with pytest.raises(ProjectWriteError):
        bob.set_memo(annotation_id, "not yours")  # the app's own path is refused too
    with bob.project.engine.begin() as c:  # raw SQL, as from psql
        target = {"i": annotation_id}
        changed = c.execute(text("UPDATE annotation SET memo = 'x' WHERE id = :i"), target)
        deleted = c.execute(text("DELETE FROM annotation_code WHERE annotation_id = :i"), target)
        assert changed.rowcount == 0 and deleted.rowcount == 0
    with pytest.raises(DBAPIError), bob.project.engine.begin() as c:
        c.execute(text("DELETE FROM code"))  # the codebook is the owner's
    bob.annotate(doc, None, 20, 30, [code])  # but bob codes his own
    assert {a.coder_name for a in bob.annotations(doc)} == {names["ann"], names["bob"]}
    bob.close()


def test_a_reader_cannot_insert(team):
    url, names = team
    rita = ProjectService.open(as_user(url, names["rita"], "pw-r"), create=False)
    rita.use_coder(names["rita"])
    doc = rita.documents()[0].id
    with pytest.raises(ProjectWriteError):
        rita.annotate(doc, None, 0, 5, [])
    with pytest.raises(DBAPIError), rita.project.engine.begin() as c:
        c.execute(text(INSERT), {"d": doc})
    rita.close()


def test_only_an_owner_adjudicates_into_gold(team):
    url, names = team
    ids = {}
    for who, password in (("ann", "pw-a:1%"), ("bob", "pw-b")):
        coder = ProjectService.open(as_user(url, names[who], password), create=False)
        ids[who] = coder.use_coder(names[who])
        doc, code = coder.documents()[0].id, coder.codes()[0].id
        coder.annotate(doc, None, 0, 12 if who == "ann" else 20, [code])
        coder.close()

    ann = ProjectService.open(as_user(url, names["ann"], "pw-a:1%"), create=False)
    ann.use_coder(names["ann"])
    with pytest.raises(ProjectWriteError):  # a coder cannot write the gold layer
        ann.accept_coding(Target(doc, code, 0, 20), [ids["ann"]])
    ann.close()

    server.add_coder(url, f"owner_{names['ann']}", "pw-o", "owner")
    owner = ProjectService.open(as_user(url, f"owner_{names['ann']}", "pw-o"), create=False)
    try:
        owner.use_coder(f"owner_{names['ann']}")
        comparison = owner.compare(doc, [ids["ann"], ids["bob"]])
        (passage,) = comparison.open_disagreements
        owner.accept_coding(Target.of(doc, passage), [ids["bob"]])
        gold = owner.gold_coder()
        assert [(a.start, a.end) for a in owner.annotations(doc) if a.coder_id == gold] == [(0, 20)]
        assert owner.compare(doc, [ids["ann"], ids["bob"]]).open_disagreements == []
    finally:
        owner.close()
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP OWNED BY "owner_{names["ann"]}"')
            c.exec_driver_sql(f'DROP ROLE IF EXISTS "owner_{names["ann"]}"')
        admin.dispose()


def test_a_member_gets_a_clear_message_until_the_admin_upgrades_the_server(team):
    """An older server (0005, before decisions) opened by a newer app: members cannot migrate
    it, so they are told to ask the administrator; after `server init` they work again."""
    from alembic import command
    from sqlalchemy.exc import ProgrammingError

    from db.errors import ProjectOpenError
    from db.migrate import alembic_config

    url, names = team
    admin = create_engine(url)
    with admin.begin() as c:
        command.downgrade(alembic_config(c), "0005")
    admin.dispose()

    with pytest.raises(ProjectOpenError, match="marginalia server init"):
        ProjectService.open(as_user(url, names["ann"], "pw-a:1%"), create=False)
    reader = create_engine(as_user(url, names["bob"], "pw-b"))
    with reader.connect() as c:  # nothing half-made by the refused attempt
        assert c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0005"
        with pytest.raises(ProgrammingError):
            c.exec_driver_sql("SELECT 1 FROM decision")
    reader.dispose()

    assert cli_main(["server", "init", url]) == 0
    ann = ProjectService.open(as_user(url, names["ann"], "pw-a:1%"), create=False)
    with ann.project.engine.connect() as c:  # the new table is readable by members
        assert c.exec_driver_sql("SELECT count(*) FROM decision").scalar() == 0
    ann.close()


def test_the_gold_layer_cannot_be_taken_over_by_a_login(team, capsys):
    url, _ = team
    owner = ProjectService.open(url)
    me = owner.use_coder("postgres")
    doc, code = owner.documents()[0].id, owner.codes()[0].id
    owner.annotate(doc, None, 0, 12, [code])
    owner.accept_coding(Target(doc, code, 0, 12), [me])
    gold = owner.gold_coder()
    owner.close()

    assert cli_main(["server", "add-coder", url, "gold", "--password", "x"]) != 0
    assert "gold layer" in capsys.readouterr().err
    admin = create_engine(url)
    with admin.connect() as c:
        assert c.exec_driver_sql("SELECT role FROM coder WHERE id = %s", (gold,)).scalar() == "gold"
        assert c.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = 'gold'").first() is None
    admin.dispose()
