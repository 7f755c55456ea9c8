import unicodedata

import pytest
from sqlalchemy import func, select

from db.errors import Cancelled
from db.logic.text import decode
from db.models import Document
from db.ops import importing


def count_documents(service) -> int:
    with service.project.read() as s:
        return s.scalar(select(func.count()).select_from(Document))


def test_corpus_imports_with_inferred_metadata_and_frozen_text(service, corpus_files):
    report, changes = service.import_files(corpus_files)
    assert len(report.imported) == 5 and not report.rejected and not report.duplicates
    assert changes.documents
    rows = {r.title: r for r in service.documents()}
    dpa = rows["Hamas sources say Gaza ceasefire negotiations 'not going well'"]
    assert dpa.outlet == "Deutsche Presse-Agentur"
    for path in corpus_files:
        stored = next(
            service.document(r.id)
            for r in service.documents()
            if service.document(r.id).source_name == path.name
        )
        assert stored.text == decode(path.read_bytes())
        assert "\r" not in stored.text
        assert unicodedata.is_normalized("NFC", stored.text)


def test_duplicates_are_skipped_and_reported(service, corpus_files, tmp_path):
    service.import_files(corpus_files[:2])
    copy = tmp_path / "copy-of-first.txt"
    copy.write_bytes(corpus_files[0].read_bytes().replace(b"\n", b"\r\n"))  # same text, CRLF
    report, _ = service.import_files([*corpus_files, copy])
    assert len(report.imported) == 3
    assert sorted(name for name, _ in report.duplicates) == sorted(
        [corpus_files[0].name, corpus_files[1].name, copy.name]
    )
    assert count_documents(service) == 5


def test_bad_files_are_reported_by_name_and_the_rest_imports(service, corpus_files, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (folder / "good.md").write_text("# A good one\n\nSome text.\n", encoding="utf-8")
    (folder / ".hidden.txt").write_text("hidden", encoding="utf-8")
    (folder / "notes.rtf").write_bytes(b"{\\rtf1 notes}")
    rtf = folder / "notes.rtf"
    report, _ = service.import_files([folder, rtf, tmp_path / "missing.txt"])
    assert [t for _, t in report.imported] == ["A good one"]
    reasons = dict(report.rejected)
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["image.txt"]
    assert "unsupported" in reasons["notes.rtf"]
    assert reasons["batch/"].startswith("1 file(s) skipped: not .csv, .docx, .htm, .html, .m")
    assert "not found" in reasons["missing.txt"]
    assert count_documents(service) == 1
    assert "image.txt: binary" in report.details()


def test_too_large_file_is_rejected(service, tmp_path, monkeypatch):
    monkeypatch.setattr(importing.text, "MAX_FILE_BYTES", 100)
    big = tmp_path / "big.txt"
    big.write_text("word " * 100, encoding="utf-8")
    report, _ = service.import_files([big])
    assert "too large" in dict(report.rejected)["big.txt"]
    assert count_documents(service) == 0


def test_cancel_during_the_write_leaves_no_partial_rows(service, corpus_files):
    calls = []

    def progress(done, total):
        calls.append(done)
        if done > len(corpus_files):  # the write phase has begun
            raise Cancelled

    with pytest.raises(Cancelled):
        service.import_files(corpus_files, progress)
    assert calls and count_documents(service) == 0
    report, _ = service.import_files(corpus_files)  # and the next try works
    assert len(report.imported) == 5


def test_headless_import_and_export_never_load_qt(tmp_path, corpus_dir):
    import subprocess
    import sys

    project = tmp_path / "p.sqlite"
    out = tmp_path / "out.csv"
    script = (
        "import sys\n"
        "from desktop.cli import main\n"
        f"assert main(['import', {str(project)!r}, {str(corpus_dir)!r}]) == 0\n"
        f"assert main(['export', 'annotations', {str(project)!r}, '-o', {str(out)!r}]) == 0\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    env = {"PATH": "/usr/bin:/bin", "MARGINALIA_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "5 imported" in done.stdout
    assert out.read_text(encoding="utf-8").startswith("annotation_id,document_id,title")
