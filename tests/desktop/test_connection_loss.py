"""A lost server connection: the edit is kept, the window says so, and it is saved later."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from db.service import ProjectService
from desktop.project import ProjectController
from tests.tcp_proxy import TcpProxy


def test_an_edit_made_while_the_server_is_away_is_saved_when_it_returns(qapp, pg_url, corpus_files):
    owner = ProjectService.open(pg_url)
    owner.use_coder("owner")
    owner.import_files(corpus_files[:1])
    code, _ = owner.create_code("Truce")
    doc = owner.documents()[0].id
    url = make_url(pg_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through = url.set(port=proxy.port).render_as_string(hide_password=False)
    controller = ProjectController(ProjectService.open(through), "ann")
    states, errors = [], []
    controller.failed.connect(errors.append)
    controller.connection_changed.connect(lambda ok, waiting: states.append((ok, waiting)))
    try:
        service = controller.service
        assert controller.run(service.annotate, doc, None, 0, 10, [code]) is not None
        proxy.cut()
        assert controller.run(service.annotate, doc, None, 20, 30, [code]) is None
        assert controller.run(service.set_memo, 1, "also waiting") is None  # keeps its turn
        assert states[-1] == (False, 2) and errors == []  # no error box, a status line
        controller.retry_pending()
        assert states[-1] == (False, 2)
        assert len(owner.annotations(doc)) == 1  # nothing half-saved meanwhile
        proxy.restore()
        controller.retry_pending()
        assert states[-1] == (True, 0) and controller.pending == []
        spans = sorted((a.start, a.end, a.memo) for a in owner.annotations(doc))
        assert spans == [(0, 10, "also waiting"), (20, 30, "")]
        assert controller.undo_stack.count() == 3  # both waiting edits became undoable
    finally:
        controller.close()
        owner.close()
        proxy.close()


def test_the_window_shows_waiting_changes(window):
    window.controller.connection_changed.emit(False, 2)
    assert "2 change(s) not saved yet" in window.status_connection.text()
    window.controller.connection_changed.emit(True, 0)
    assert window.status_connection.text() == ""
    assert "every change is saved" in window.statusBar().currentMessage()


def test_connect_to_server_dialog_opens_the_server_project(qtbot, window, pg_url, monkeypatch):
    from sqlalchemy.engine import make_url

    import desktop.file_actions as file_actions

    url = make_url(pg_url)
    ProjectService.open(pg_url).close()  # the server project exists (as after `server init`)

    def fill(dialog):
        dialog.host.setText(url.host)
        dialog.port.setValue(url.port)
        dialog.database.setText(url.database)
        dialog.user.setText(url.username)
        dialog.password.setText(url.password or "")
        return True

    monkeypatch.setattr(file_actions.ServerDialog, "exec", fill)
    window.connect_dialog()
    assert window.controller.service.project.path is None  # a server project now
    assert window.windowTitle() == f"{url.database} — {url.username} — Marginalia"
    assert window.settings.last_project is None or window.settings.last_project.suffix == ".sqlite"


def test_quitting_with_waiting_changes_asks_first(qtbot, window, monkeypatch):
    window.controller.pending.append((print, (), {}))
    monkeypatch.setattr(window, "confirm", lambda *a: False)
    assert not window.close()
    monkeypatch.setattr(window, "confirm", lambda *a: True)
    assert window.close()


class MemoryKeyring:
    """Stands in for the operating system's keyring (not for anything of ours)."""

    priority = 1

    def __init__(self) -> None:
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, account):
        return self.store.get((service, account))

    def set_password(self, service, account, password):
        self.store[(service, account)] = password


def test_server_password_goes_to_the_keyring_only_when_asked(qtbot, monkeypatch):
    import keyring

    from desktop.dialogs.server import ServerDialog

    memory = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_password", memory.get_password)
    monkeypatch.setattr(keyring, "set_password", memory.set_password)
    dialog = ServerDialog("ann")
    qtbot.addWidget(dialog)
    dialog.password.setText("s3cret")
    dialog.accept()
    assert memory.store == {}  # not asked: not kept
    dialog = ServerDialog("ann")
    qtbot.addWidget(dialog)
    dialog.password.setText("s3cret")
    dialog.remember.setChecked(True)
    dialog.accept()
    assert memory.store == {("Marginalia", "ann@localhost:5432/marginalia"): "s3cret"}
    again = ServerDialog("ann")
    qtbot.addWidget(again)
    assert again.password.text() == "s3cret" and again.remember.isChecked()
