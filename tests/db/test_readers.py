"""Readers for web pages, DOCX, PDF and ODT, through the importer, on files made here.

Every good file must land as a Document with its own metadata and a text whose code-point
offsets annotate exactly; every bad one must be rejected by name with a reason while the rest
of the batch imports.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from odf import dc, meta
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from db.logic.text import TextRejected
from db.models import Document
from db.readers import html as html_reader
from db.readers import pdf as pdf_reader
from db.readers.registry import READERS, SUPPORTED_SUFFIXES, read_file

BOILERPLATE = ("World news menu", "Subscribe today", "Cookie settings", "Privacy policy")

PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Ceasefire talks stall in Cairo | The Daily Ledger</title>
<meta property="og:title" content="Ceasefire talks stall in Cairo">
<meta property="og:site_name" content="The Daily Ledger">
<meta property="article:published_time" content="2024-05-06T09:30:00+00:00">
<meta name="author" content="Jane Reporter">
<meta name="description" content="Talks in Cairo ended without a deal.">
<link rel="canonical" href="https://ledger.example.com/world/ceasefire-talks">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news menu</a></li>
<li><a href="/subscribe">Subscribe today</a></li></ul></nav>
<main><article>
<h1>Ceasefire talks stall in Cairo</h1>
<p>Negotiators from Egypt and Qatar met Hamas officials in Cairo on Monday, but the talks
ended without agreement on a phased truce.</p>
<p>Israel demands the release of 40 living hostages 🕊️ before any pause in the fighting, a
senior official said.</p>
<h2>Mediators press on</h2>
<p>The United States urged both sides to accept the proposal, calling it the best chance for a
deal in months.</p>
</article></main>
<footer><p>© 2024 The Daily Ledger. Cookie settings. Privacy policy.</p></footer>
</body></html>
"""

NO_ARTICLE_PAGE = """<!DOCTYPE html><html><head><title>Sign in</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<form><label>Email <input name="email"></label><button>Sign in</button></form>
<footer>Contact · Imprint</footer></body></html>"""


def write_docx(path: Path, *, title: str = "Talks stall in Cairo") -> Path:
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = "Jane Reporter"
    document.add_heading("Ceasefire talks stall in Cairo", 0)
    document.add_paragraph(
        "Negotiators from Egypt and Qatar met Hamas officials 😀 in Cairo on Monday."
    )
    document.add_heading("Mediators press on", 1)
    document.add_paragraph("")  # an empty paragraph is not a paragraph
    document.add_paragraph("The United States urged both sides to accept the proposal.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Hostages", "40 living"
    document.save(path)
    return path


def write_odt(path: Path) -> Path:
    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="Ceasefire in the balance"))
    document.meta.addElement(meta.InitialCreator(text="Olga Writer"))
    document.text.addElement(odf_text.H(outlinelevel=1, text="Ceasefire in the balance"))
    paragraph = odf_text.P(text="Qatar and Egypt 𝔊 mediate a phased deal between the parties.")
    note = odf_text.Note(noteclass="footnote")
    note.addElement(odf_text.NoteCitation(text="1"))
    note_body = odf_text.NoteBody()
    note_body.addElement(odf_text.P(text="A footnote that is not running text."))
    note.addElement(note_body)
    paragraph.addElement(note)
    document.text.addElement(paragraph)
    items = odf_text.List()
    item = odf_text.ListItem()
    item.addElement(odf_text.P(text="Hamas opposes a temporary truce."))
    items.addElement(item)
    document.text.addElement(items)
    document.save(str(path))
    return path


def pdf_bytes(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A minimal PDF 1.4 written by hand: Helvetica text, one line per ``T*``, real xref."""

    def string(value: str) -> bytes:
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("cp1252") + b")"

    page_ids = [4 + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{p} 0 R" for p in page_ids).encode()
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(pages),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    for page_id, lines in zip(page_ids, pages, strict=True):
        ops = [b"BT /F1 11 Tf 14 TL 72 720 Td"] + [string(line) + b" Tj T*" for line in lines]
        stream = b"\n".join([*ops, b"ET"])
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            b" /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_id + 1)
        )
        objects[page_id + 1] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)
    info_id = len(objects) + 1
    entries = b" ".join(b"/" + k.encode() + b" " + string(v) for k, v in (info or {}).items())
    objects[info_id] = b"<< " + entries + b" >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in sorted(objects))
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, info_id)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


PDF_PAGE_ONE = [
    "Negotiators from Egypt and Qatar met Hamas officials in Cairo",
    "on Monday, but the talks ended without agreement on a phased",
    "truce. The negotiations resumed late at night, said a senior",
    "official, and the well-known envoy stayed on. Further negotia-",
    "tions are planned for next week in Doha, the mediators said.",
    "Nobody expects a deal.",
    "Israel demands the release of 40 living hostages before any",
    "pause in the fighting, according to a statement by the office",
    "of the prime minister, which called the Cairo talks a well-",
    "known ritual of delay. Café owners said they had heard it all.",
]
PDF_PAGE_TWO = ["Page two closes the report with one final sentence."]


def write_pdf(path: Path) -> Path:
    info = {"Title": "Talks in Cairo", "Author": "Pat Writer", "Subject": "Gaza"}
    path.write_bytes(pdf_bytes([PDF_PAGE_ONE, PDF_PAGE_TWO], info))
    return path


def encrypted(source: bytes, user_password: str, owner_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=user_password, owner_password=owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stored(service, name: str) -> Document:
    with service.project.read() as s:
        document = s.scalars(select(Document).where(Document.source_name == name)).one()
        s.expunge(document)
        return document


def import_one(service, path: Path, title: str) -> Document:
    """Import one file through the importer; it must arrive under ``title``."""
    report, _ = service.import_files([path])
    assert report.imported == [(path.name, title)]
    return stored(service, path.name)


def annotate_and_check(service, document: Document, passage: str) -> None:
    """The passage's code-point offsets annotate it exactly, in the app and in the export."""
    start = document.text.index(passage)
    code, _ = service.create_code("Position")
    coder = service.ensure_coder("ann")
    service.annotate(document.id, coder, start, start + len(passage), [code])
    (record,) = service.annotations(document.id)
    assert record.quote == passage == document.text[record.start : record.end]


# --- the readers one by one, through the importer -------------------------------------------


def test_web_page_gives_the_article_and_its_metadata_without_boilerplate(service, tmp_path):
    page = tmp_path / "ceasefire.html"
    page.write_text(PAGE, encoding="utf-8")
    document = import_one(service, page, "Ceasefire talks stall in Cairo")
    assert "Negotiators from Egypt and Qatar met Hamas officials in Cairo" in document.text
    assert not [b for b in BOILERPLATE if b in document.text]
    assert "truce.\n\nIsrael demands" in document.text  # paragraphs apart by a blank line
    assert "Mediators press on\n\nThe United States" in document.text
    assert (document.published, document.outlet, document.author) == (
        date(2024, 5, 6),
        "The Daily Ledger",
        "Jane Reporter",
    )
    assert document.url == "https://ledger.example.com/world/ceasefire-talks"
    assert document.language == "en-GB"
    assert document.extra["description"] == "Talks in Cairo ended without a deal."
    annotate_and_check(service, document, "before any pause in the fighting")


def test_web_page_in_its_declared_charset(tmp_path):
    body = PAGE.replace('charset="utf-8"', 'charset="iso-8859-1"').replace(" 🕊️", "")
    body = body.replace("Monday,", "Monday at the Café Riche,").replace("a\nsenior", "a ‘senior’")
    page = tmp_path / "latin.htm"
    page.write_bytes(body.encode("cp1252"))  # declared latin-1, written as browsers do
    (draft,) = read_file(page)
    assert "at the Café Riche," in draft.text and "a ‘senior’ official" in draft.text
    xhtml = tmp_path / "xhtml.html"
    declared = '<?xml version="1.0" encoding="iso-8859-15"?>\n' + PAGE.replace("Cairo", "Kairo €")
    xhtml.write_bytes(
        declared.replace('<meta charset="utf-8">', "").replace(" 🕊️", "").encode("iso8859_15")
    )
    (draft,) = read_file(xhtml)
    assert draft.title == "Ceasefire talks stall in Kairo €"


def test_docx_paragraphs_headings_tables_and_core_properties(service, tmp_path):
    document = import_one(service, write_docx(tmp_path / "report.docx"), "Talks stall in Cairo")
    assert document.text == (
        "Ceasefire talks stall in Cairo\n\n"
        "Negotiators from Egypt and Qatar met Hamas officials 😀 in Cairo on Monday.\n\n"
        "Mediators press on\n\n"
        "The United States urged both sides to accept the proposal.\n\n"
        "Hostages\t40 living"
    )
    assert document.author == "Jane Reporter"
    assert document.published is None  # the file's creation date is not the story's date
    assert "file_created" in document.extra
    annotate_and_check(service, document, "in Cairo on Monday")


def test_docx_without_a_title_property_uses_its_title_paragraph(tmp_path):
    (draft,) = read_file(write_docx(tmp_path / "untitled.docx", title=""))
    assert draft.title == "Ceasefire talks stall in Cairo"


def test_pdf_text_layer_rejoined_into_paragraphs(service, tmp_path):
    document = import_one(service, write_pdf(tmp_path / "talks.pdf"), "Talks in Cairo")
    first, second, third = document.text.split("\n\n")
    assert first.startswith("Negotiators from Egypt and Qatar met Hamas officials in Cairo on")
    assert "met Hamas officials in Cairo on Monday, but the talks" in first  # lines joined
    assert "Further negotiations are planned" in first  # "negotiations" occurs unbroken
    assert "the well-known envoy" in first and "the Cairo talks a well-known ritual" in second
    assert first.endswith("Nobody expects a deal.")  # a short line ends its paragraph
    assert second.endswith("Café owners said they had heard it all.")
    assert third == "Page two closes the report with one final sentence."  # pages apart
    assert document.author == "Pat Writer"
    assert document.extra["pages"] == 2 and document.extra["subject"] == "Gaza"
    annotate_and_check(service, document, "Café owners said")


def test_pdf_hyphen_is_kept_without_evidence_and_soft_hyphens_go():
    lines = ["The envoy described the proposal as a step towards a cease-"]
    lines += ["fire, a word the ministers used sparingly in the long statements", "of the day."]
    assert pdf_reader.paragraphs(["\n".join(lines)]) == [
        "The envoy described the proposal as a step towards a cease-fire, a word the ministers"
        " used sparingly in the long statements of the day."
    ]
    assert pdf_reader.paragraphs(["a negotia\u00ad\ntion"]) == ["a negotiation"]
    assert pdf_reader.paragraphs(["the Hamas-\nIsrael talks"]) == ["the Hamas-Israel talks"]


def test_pdf_that_only_an_owner_password_protects_still_reads(tmp_path):
    path = tmp_path / "owner.pdf"
    path.write_bytes(encrypted(write_pdf(tmp_path / "plain.pdf").read_bytes(), "", "owner"))
    (draft,) = read_file(path)
    assert "Nobody expects a deal." in draft.text


def test_odt_headings_paragraphs_lists_and_meta(service, tmp_path):
    path = write_odt(tmp_path / "analysis.odt")
    document = import_one(service, path, "Ceasefire in the balance")
    assert document.text == (
        "Ceasefire in the balance\n\n"
        "Qatar and Egypt 𝔊 mediate a phased deal between the parties.\n\n"
        "Hamas opposes a temporary truce."
    )  # the footnote is not in the running text
    assert document.author == "Olga Writer"
    annotate_and_check(service, document, "mediate a phased deal")


# --- bad input: each file rejected with its reason, the rest of the batch imported ----------


def test_bad_files_are_rejected_with_reasons_and_the_good_ones_import(service, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    write_docx(folder / "report.docx")
    good_pdf = write_pdf(folder / "talks.pdf").read_bytes()
    write_odt(folder / "analysis.odt")
    (folder / "corrupt.docx").write_bytes(random.Random(7).randbytes(4000))
    with zipfile.ZipFile(folder / "not-word.docx", "w") as package:
        package.writestr("notes.txt", "a zip, but no Word document inside")
    (folder / "login.html").write_text(NO_ARTICLE_PAGE, encoding="utf-8")
    (folder / "locked.pdf").write_bytes(encrypted(good_pdf, "secret", "owner"))
    (folder / "scan.pdf").write_bytes(pdf_bytes([[], []]))  # pages, but no text on them
    (folder / "truncated.pdf").write_bytes(good_pdf[:300])
    for name in ("empty.html", "empty.docx", "empty.pdf", "empty.odt", "empty.txt"):
        (folder / name).write_bytes(b"")
    report, _ = service.import_files([folder])
    assert sorted(name for name, _ in report.imported) == [
        "analysis.odt",
        "page.html",
        "report.docx",
        "talks.pdf",
    ]
    reasons = dict(report.rejected)
    assert reasons["corrupt.docx"] == "not a readable DOCX file (damaged, or not really DOCX)"
    assert "not a Word document" in reasons["not-word.docx"]
    assert reasons["login.html"] == html_reader.NO_ARTICLE
    assert reasons["locked.pdf"] == pdf_reader.PASSWORD
    assert reasons["scan.pdf"] == "this PDF has no text layer (a scan?) — run OCR first"
    assert "not a readable PDF" in reasons["truncated.pdf"]
    for name in ("empty.html", "empty.docx", "empty.pdf", "empty.odt", "empty.txt"):
        assert reasons[name] == "empty file"
    assert len(report.rejected) == 11 and not report.duplicates


def test_a_package_that_would_unpack_too_large_is_refused(tmp_path, monkeypatch):
    from db.readers import docx as docx_reader

    monkeypatch.setattr(docx_reader, "MAX_UNPACKED_BYTES", 1000)  # a zip bomb, in miniature
    with pytest.raises(TextRejected, match="absurd size"):
        read_file(write_docx(tmp_path / "bomb.docx"))
    with pytest.raises(TextRejected, match="absurd size"):
        read_file(write_odt(tmp_path / "bomb.odt"))


def test_the_same_article_twice_is_a_duplicate(service, tmp_path):
    path = write_docx(tmp_path / "report.docx")
    service.import_files([path])
    copy = write_docx(tmp_path / "copy.docx", title="Another title")  # same text
    report, _ = service.import_files([copy])
    assert report.duplicates == [("copy.docx", "Talks stall in Cairo")] and not report.imported


# --- the registry ---------------------------------------------------------------------------


def test_registry_reads_by_suffix_in_any_case(tmp_path):
    assert {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf", ".odt"} <= set(
        SUPPORTED_SUFFIXES
    )
    assert set(SUPPORTED_SUFFIXES) == set(READERS)
    upper = write_pdf(tmp_path / "TALKS.PDF")
    (draft,) = read_file(upper)
    assert draft.name == "TALKS.PDF" and draft.title == "Talks in Cairo"
    with pytest.raises(TextRejected, match="unsupported file type"):
        read_file(tmp_path / "notes.rtf")


def test_a_reader_may_give_many_articles(service, tmp_path, monkeypatch):
    """A table-like reader: one draft per line; an empty one is rejected by its own name."""
    from db.readers import ArticleDraft

    def lines(path: Path) -> list[ArticleDraft]:
        rows = path.read_text(encoding="utf-8").split("\n")
        return [
            ArticleDraft(f"{path.name} row {i}", row, title=f"Row {i}")
            for i, row in enumerate(rows, 1)
        ]

    monkeypatch.setitem(READERS, ".rows", lines)
    (tmp_path / "folder").mkdir()
    path = tmp_path / "folder" / "articles.rows"
    path.write_text("First article text.\n\nSecond article text.\nFirst article text.", "utf-8")
    report, _ = service.import_files([tmp_path / "folder"])  # folders collect the new suffix
    assert report.imported == [("articles.rows row 1", "Row 1"), ("articles.rows row 3", "Row 3")]
    assert report.rejected == [("articles.rows row 2", "empty text")]
    assert report.duplicates == [("articles.rows row 4", "Row 1")]
