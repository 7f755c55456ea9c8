"""Two windows on one project file: what one coder does appears in the other within 2 s."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.desktop.conftest import import_and_wait, open_titled, open_window

PASSAGE = "Hamas will not agree to a temporary ceasefire"


def test_an_annotation_made_in_one_window_appears_in_the_other(
    qtbot, project_path, data_dir, corpus_files, tmp_path
):
    ann = open_window(qtbot, project_path, "ann", settings_dir=tmp_path / "ann")
    code = ann.create_code("Truce")
    import_and_wait(qtbot, ann, corpus_files)
    (tmp_path / "bob").mkdir()
    bob = open_window(qtbot, project_path, "bob", settings_dir=tmp_path / "bob")
    assert bob.documents.rowCount() == 5
    doc = open_titled(bob, PASSAGE)
    open_titled(ann, PASSAGE)
    ann.reader.find_and_select(PASSAGE)
    qtbot.keyClick(ann.reader.body, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: [a.quote for a in bob.reader.annotations] == [PASSAGE], timeout=2500)
    row = bob.documents.row_of(doc)
    assert bob.documents.document_at(row).n_annotations == 1
    assert bob.reader.document.id == doc  # bob keeps reading the same article
    assert bob.codes.by_id(code).n_annotations == 1 and bob.codes.by_id(code).n_mine == 0

    bob.create_code("Ceasefire")  # and the other way round, for the codebook
    qtbot.waitUntil(lambda: "Ceasefire" in {c.name for c in ann.codes.codes}, timeout=2500)


def test_own_edits_and_imports_do_not_trigger_a_reload(qtbot, window, corpus_files):
    reloads = []
    window.controller.changed_elsewhere.connect(lambda: reloads.append(1))
    import_and_wait(qtbot, window, corpus_files)
    window.controller.poll()
    window.create_code("Truce")
    window.controller.poll()
    assert reloads == []


def test_backup_from_the_window_and_network_share_warning(qtbot, window, tmp_path, monkeypatch):
    import sqlite3

    from db.service import ProjectService

    window.create_code("Truce")
    target = tmp_path / "backup.sqlite"
    task = window.export(target, "Backing up…", window.service.backup)
    with qtbot.waitSignal(task.finished, timeout=10000):
        pass
    with sqlite3.connect(target) as c:
        assert c.execute("SELECT name FROM code").fetchall() == [("Truce",)]
    assert not window.warn_if_network_share()
    monkeypatch.setattr(ProjectService, "on_network_share", property(lambda self: True))
    assert window.warn_if_network_share()
    assert "network share" in window.last_error


def test_merge_a_copy_from_the_window(qtbot, window, tmp_path, corpus_files):
    from db.service import ProjectService

    import_and_wait(qtbot, window, corpus_files)
    code = window.create_code("Truce")
    window.service.export_copy(tmp_path / "bob.sqlite")
    bob = ProjectService.open(tmp_path / "bob.sqlite", create=False)
    bob.use_coder("bob")
    doc = bob.documents()[0].id
    bob.annotate(doc, None, 0, 12, [code])
    bob.close()
    task = window.merge_copy(tmp_path / "bob.sqlite")
    with qtbot.waitSignal(task.finished, timeout=20000):
        pass
    assert window.last_merge.added["annotation"] == 1
    window.select_document(doc)
    assert [a.coder_name for a in window.reader.annotations] == ["bob"]
    window.undo_action.trigger()
    assert window.reader.annotations == []


def test_coders_tab_lists_coders_and_filters_the_reader(qtbot, window, corpus_files):
    import_and_wait(qtbot, window, corpus_files)
    code = window.create_code("Truce")
    doc = open_titled(window, PASSAGE)
    window.service.annotate(doc, window.service.ensure_coder("bob"), 0, 5, [code])
    window.controller.poll()  # bob's highlight, as another program's, reaches the window
    window.reader.find_and_select(PASSAGE)
    window.apply_code(code)  # the Coders tab is hidden: its counts are read when it shows
    panel = window.coders
    assert window.coder_counts_stale
    window.details.setCurrentWidget(panel)
    labels = [panel.model.item(r).text() for r in range(panel.model.rowCount())]
    assert labels == ["ann (you) — 1 highlight(s), coder", "bob — 1 highlight(s), coder"]
    assert len(window.reader.annotations) == 2
    panel.show_only({panel.me})
    assert [a.coder_name for a in window.reader.annotations] == ["ann"]
    panel.model.item(1).setCheckState(Qt.CheckState.Checked)
    assert len(window.reader.annotations) == 2
    panel.model.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert [a.coder_name for a in window.reader.annotations] == ["bob"]


def test_the_window_works_on_a_postgresql_project(qtbot, pg_url, corpus_files, tmp_path):
    window = open_window(qtbot, pg_url, "ann", settings_dir=tmp_path)
    code = window.create_code("Truce")
    import_and_wait(qtbot, window, corpus_files)
    open_titled(window, PASSAGE)
    window.reader.find_and_select(PASSAGE)
    qtbot.keyClick(window.reader.body, Qt.Key.Key_1)
    (annotation,) = window.service.annotations(window.reader.document.id)
    assert annotation.quote == PASSAGE and annotation.code_ids == (code,)
    window.undo_action.trigger()
    assert window.service.annotations(window.reader.document.id) == []
    window.close()
    window.controller.close()


def test_a_rename_on_a_stale_codebook_is_reported_not_applied(
    qtbot, project_path, data_dir, tmp_path, monkeypatch
):
    from PySide6.QtWidgets import QInputDialog

    ann = open_window(qtbot, project_path, "ann", settings_dir=tmp_path)
    code = ann.create_code("Truce")
    ann.controller._poll.stop()  # ann looks away: no live update before the rename
    ann.service.__class__.open(project_path).rename_code(code, "Ceasefire")  # another program
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Temporary truce", True))
    ann.codebook.rename_dialog(ann.codes.by_id(code))
    assert "changed the code meanwhile" in ann.last_error
    assert [c.name for c in ann.service.codes()] == ["Ceasefire"]


def test_two_windows_on_a_postgresql_server_see_each_other(qtbot, pg_url, corpus_files, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ann = open_window(qtbot, pg_url, "ann", settings_dir=tmp_path / "a")
    code = ann.create_code("Truce")
    import_and_wait(qtbot, ann, corpus_files)
    bob = open_window(qtbot, pg_url, "bob", settings_dir=tmp_path / "b")
    open_titled(bob, PASSAGE)
    open_titled(ann, PASSAGE)
    ann.reader.find_and_select(PASSAGE)
    ann.apply_code(code)
    qtbot.waitUntil(lambda: [a.quote for a in bob.reader.annotations] == [PASSAGE], timeout=2500)
    for window in (ann, bob):
        window.close()
        window.controller.close()
