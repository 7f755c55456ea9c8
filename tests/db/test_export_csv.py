import csv
import re

import pytest

from db.cli import main as cli_main
from db.exports.annotations_csv import COLUMNS

QUOTE = "Hamas will not agree to a temporary ceasefire"


@pytest.fixture
def coded(service, corpus_files, tmp_path):
    """Corpus imported; two highlights by two coders; one tricky memo; one untagged highlight."""
    service.import_files(corpus_files)
    doc = next(d for d in service.documents() if QUOTE in service.document(d.id).text)
    text = service.document(doc.id).text
    truce, _ = service.create_code("Truce")
    reject, _ = service.create_code("=Rejection")  # a name that would run as a formula
    ann = service.ensure_coder("ann")
    bob = service.ensure_coder("-bob")
    start = text.index(QUOTE)
    first, _ = service.annotate(doc.id, ann, start, start + len(QUOTE), [truce, reject])
    service.set_memo(first, 'Says "no", then, later\nmaybe')
    quote2 = "permanent ceasefire in Gaza"
    s2 = text.index(quote2)
    service.annotate(doc.id, bob, s2, s2 + len(quote2), [truce])
    service.annotate(doc.id, bob, 0, 5, [])  # an untagged highlight
    return service, doc, text


def read_csv(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_one_row_per_annotation_and_code_reads_back(coded, tmp_path):
    service, doc, text = coded
    out = tmp_path / "out.csv"
    assert service.export_annotations_csv(out) == 4
    rows = read_csv(out)
    assert list(rows[0].keys()) == list(COLUMNS)
    assert len(rows) == 4
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["quote"]
        assert row["document_id"] == str(doc.id) and row["title"] == doc.title
    main = [r for r in rows if r["quote"] == QUOTE]
    assert sorted(r["code"] for r in main) == ["'=Rejection", "Truce"]
    assert main[0]["memo"] == 'Says "no", then, later\nmaybe'
    assert main[0]["coder"] == "ann"
    assert {r["coder"] for r in rows if r["quote"] != QUOTE} == {"'-bob"}
    assert [r["code"] for r in rows if r["quote"] == text[:5]] == [""]
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert all(stamp.match(r["created"]) and stamp.match(r["modified"]) for r in rows)


def test_excel_flavour_has_a_bom_and_crlf(coded, tmp_path):
    service, *_ = coded
    out = tmp_path / "excel.csv"
    service.export_annotations_csv(out, excel=True)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data


def test_failed_export_keeps_the_old_file_and_leaves_no_part_file(coded, tmp_path, monkeypatch):
    from db.errors import InvalidInput
    from db.exports import annotations_csv

    service, *_ = coded
    out = tmp_path / "out.csv"
    out.write_text("the previous export", encoding="utf-8")
    real = annotations_csv.annotation_rows

    def breaks_midway(connection, progress=None, coders=None):
        rows = real(connection, progress, coders)
        yield next(rows)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(annotations_csv, "annotation_rows", breaks_midway)
    with pytest.raises(InvalidInput, match="No space left"):
        service.export_annotations_csv(out)
    assert out.read_text(encoding="utf-8") == "the previous export"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    with pytest.raises(InvalidInput, match="Cannot write"):
        service.export_annotations_csv(tmp_path / "missing-dir" / "out.csv")


def test_exports_are_ordinary_readable_files(coded, tmp_path):
    import os
    import stat

    service, *_ = coded
    umask = os.umask(0o022)
    try:
        service.export_annotations_csv(tmp_path / "new.csv")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644


def test_cli_export_and_import(coded, tmp_path, capsys, corpus_dir):
    service, *_ = coded
    out = tmp_path / "cli.csv"
    assert cli_main(["export", "annotations", str(service.project.path), "-o", str(out)]) == 0
    assert len(read_csv(out)) == 4
    assert "4 rows" in capsys.readouterr().out
    assert cli_main(["import", str(service.project.path), str(corpus_dir)]) == 0
    assert "0 imported, 5 duplicate(s) skipped" in capsys.readouterr().out
    assert cli_main(["export", "annotations", str(tmp_path / "nope.sqlite"), "-o", str(out)]) == 1
    assert "no project" in capsys.readouterr().err
