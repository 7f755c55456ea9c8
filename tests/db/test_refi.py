"""REFI-QDA exchange: round trips, schema validity, real-world quirks, and hostile files.

Handcrafted files stand in for other tools: a UTF-16 counting exporter (emoji), CR LF counting
either way, ``Sources/`` with upper-case GUIDs, ``A::B`` code names. Every hostile file must
raise InvalidInput with a message saying what it tried, and leave the project as it was.
"""

from __future__ import annotations

import gc
import io
import uuid
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import func, select

from db.errors import Cancelled, InvalidInput
from db.exchange import refi_import, refi_xml, safe_zip
from db.exchange.refi_offsets import STANDARD, Counting, Selection, SourceText, resolve
from db.models import (
    Actor,
    Annotation,
    AnnotationCode,
    Code,
    Coder,
    Document,
    Event,
    Issue,
    Setting,
    Statement,
)
from db.records import DocumentMetadata
from db.service import ProjectService

REFI = Path(__file__).resolve().parents[3] / "shared" / "refi"
NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"


@pytest.fixture(scope="module")
def project_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(REFI / "Project-mrt2019.xsd"))


@pytest.fixture(scope="module")
def codebook_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(REFI / "Codebook.xsd"))


def fresh(tmp_path: Path, name: str = "fresh") -> ProjectService:
    service = ProjectService.open(tmp_path / f"{name}.sqlite")
    service.use_coder("importer")
    return service


def counts(service: ProjectService) -> dict[str, int]:
    models = (Coder, Code, Document, Annotation, AnnotationCode, Statement, Actor, Issue, Event)
    with service.project.read() as s:
        found = {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in models}
        found["setting"] = s.scalar(select(func.count()).select_from(Setting))
        found["memos"] = s.scalar(select(func.count()).where(Annotation.memo != ""))
        return found


def write_qdpx(path: Path, qde: str | bytes, files: dict[str, str | bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return path


def guid() -> str:
    return str(uuid.uuid4())


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def project_xml(sources: str, codes: str = "", users: str = "", notes: str = "") -> str:
    codebook = f"<CodeBook><Codes>{codes}</Codes></CodeBook>" if codes else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{NS}" name="handmade" '
        f'origin="a test">{users}{codebook}<Sources>{sources}</Sources>{notes}</Project>'
    )


def import_source(
    tmp_path: Path, name: str, selections: str, text: str | bytes
) -> tuple[ProjectService, refi_import.RefiImportReport]:
    """A handmade .qdpx of one text source with these selections, imported into a fresh
    project."""
    source = guid()
    qde = project_xml(
        f'<TextSource guid="{source}" name="{name}" plainTextPath="internal://{source}.txt">'
        f"{selections}</TextSource>"
    )
    path = write_qdpx(tmp_path / f"{name}.qdpx", qde, {f"sources/{source}.txt": text})
    service = fresh(tmp_path)
    report, _ = service.import_qdpx(path)
    return service, report


def spans(service: ProjectService) -> dict[str, list[tuple[int, int, str]]]:
    found: dict[str, list[tuple[int, int, str]]] = {}
    for row in service.documents():
        text = service.document(row.id).text
        found[row.title] = []
        for a in service.annotations(row.id):
            assert text[a.start : a.end] == a.quote
            found[row.title].append((a.start, a.end, a.quote))
    return found


# A project coded the way the team codes ----------------------------------------------------
@pytest.fixture
def coded(service: ProjectService, corpus_files) -> ProjectService:
    service.use_coder("ann")
    service.import_files(corpus_files)
    talks, _ = service.create_code("Talks", "#56ccf2", description="Negotiations & mediation")
    truce, _ = service.create_code("Truce", parent_id=talks, description="A pause <not peace>")
    blame, _ = service.create_code("Blame", "#eb5757")
    service.set_archived(blame, True)
    documents = service.documents()
    first, second = documents[0].id, documents[1].id
    text = service.document(first).text
    start = text.index("ceasefire")
    annotation, _ = service.annotate(first, None, start, start + len("ceasefire"), [truce, talks])
    service.set_memo(annotation, 'Key passage: "temporary"\nsee also §2')
    service.code_position(
        first, start, start + len("ceasefire"), "Hamas", "Truce/Temporary", "oppose", "WSJ", 0.8
    )
    actor = next(a for a in service.actors() if a.name == "Hamas")
    service.update_actor(actor.id, aliases=["the Gaza rulers"], kind="group")
    bob = service.ensure_coder("bob")
    other = service.document(second).text
    service.annotate(second, bob, 0, 40, [talks])
    service.code_statement(second, 50, 90, actor.id, service.issues()[0].id, 1)
    gone, _ = service.annotate(second, bob, 100, 120, [blame])
    service.delete_annotation(gone)
    service.set_document_memo(second, "Check the date.")
    service.update_metadata(
        second,
        DocumentMetadata("Second article", outlet="Middle East Eye", published=date(2024, 2, 1)),
    )
    service.delete_documents([documents[-1].id])
    assert other  # the second article has text to code
    return service


def snapshot(service: ProjectService) -> dict[str, object]:
    """Everything a round trip must keep, keyed by what users see (not by row ids)."""
    codes = {c.id: c for c in service.codes()}
    coders = {c.id: c.name for c in service.coders()}
    documents = {}
    for row in service.documents():
        record = service.document(row.id)
        annotations = sorted(
            (
                a.uuid,
                a.start,
                a.end,
                a.quote,
                a.memo,
                coders[a.coder_id],
                tuple(sorted(codes[c].path for c in a.code_ids)),
            )
            for a in service.annotations(row.id)
        )
        documents[record.uuid] = (
            record.title,
            record.text,
            record.memo,
            record.metadata.outlet,
            record.metadata.published,
            record.source_name,
            annotations,
        )
    return {
        "documents": documents,
        "codes": sorted(
            (c.uuid, c.path, c.color, c.description, c.shortcut, c.archived) for c in codes.values()
        ),
        "statements": sorted(
            (s.uuid, s.actor, s.issue, s.stance, s.source, s.certainty, s.quote, s.coder)
            for s in service.statements()
        ),
        "actors": sorted((a.name, a.kind, a.aliases) for a in service.actors()),
        "issues": sorted(i.path for i in service.issues()),
        "coders": sorted(c.name for c in service.coders()),
    }


def test_round_trip_keeps_documents_codes_highlights_and_statements(
    coded: ProjectService, tmp_path: Path, project_schema
):
    out = tmp_path / "project.qdpx"
    summary = coded.export_qdpx(out)
    assert (summary.documents, summary.annotations, summary.statements) == (4, 3, 2)
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde")
        project_schema.validate(io.BytesIO(qde))
        texts = {n for n in archive.namelist() if n.startswith("sources/")}
        for row in coded.documents():
            record = coded.document(row.id)
            assert archive.read(f"sources/{record.uuid}.txt").decode("utf-8") == record.text
    assert len(texts) == 4  # the deleted article stays home
    with coded.project.read() as s:
        deleted = s.scalar(select(Annotation.uuid).where(Annotation.deleted_at.is_not(None)))
    assert deleted.encode() not in qde

    before = snapshot(coded)
    copy = fresh(tmp_path)
    report, changes = copy.import_qdpx(out)
    assert changes.documents and changes.codebook and changes.positions
    assert (report.documents, report.annotations, report.statements) == (4, 3, 2)
    assert report.offsets_corrected == 0 and not report.skipped
    after = snapshot(copy)
    assert after["documents"] == before["documents"]
    assert after["codes"] == before["codes"]
    assert after["statements"] == before["statements"]
    assert after["actors"] == before["actors"]
    assert after["issues"] == before["issues"]
    assert set(before["coders"]) <= set(after["coders"])
    assert not any(c.path.startswith("Positions") for c in copy.codes())
    spans(copy)  # every highlight's offsets point at its quote

    again, _ = copy.import_qdpx(out)  # merging by GUID: nothing twice
    assert (again.documents, again.annotations, again.statements, again.codes) == (0, 0, 0, 0)
    assert again.known_documents == 4
    assert snapshot(copy) == after


def test_codebook_exports_valid_qdc_and_imports_into_another_codebook(
    coded: ProjectService, tmp_path: Path, codebook_schema
):
    out = tmp_path / "codebook.qdc"
    assert coded.export_qdc(out) == 3
    codebook_schema.validate(str(out))
    other = fresh(tmp_path)
    other.create_code("Talks", "#000000")  # same name, other UUID: kept, not doubled
    report, _ = other.import_qdc(out)
    assert (report.codes, report.known_codes) == (2, 1)
    paths = {c.path: c for c in other.codes()}
    assert set(paths) == {"Talks", "Talks/Truce", "Blame"}
    assert paths["Talks"].color == "#000000"
    assert paths["Talks/Truce"].description == "A pause <not peace>"
    assert other.import_qdc(out)[0].codes == 0


def test_empty_codebook_is_a_clear_message(service: ProjectService, tmp_path: Path):
    with pytest.raises(InvalidInput, match="codebook is empty"):
        service.export_qdc(tmp_path / "empty.qdc")
    assert not (tmp_path / "empty.qdc").exists()


def test_positions_travel_as_codes_other_tools_can_read(coded: ProjectService, tmp_path: Path):
    out = tmp_path / "project.qdpx"
    coded.export_qdpx(out)
    with zipfile.ZipFile(out) as archive:
        qde = archive.read("project.qde").decode("utf-8")
    assert 'name="Positions" isCodable="false"' in qde
    assert 'name="Truce › Temporary"' in qde
    assert "marginalia-extension/1" in qde
    # A tool that drops our note still sees the positions, as plain codes.
    start = qde.index("<Notes>")
    stripped = qde[:start] + qde[qde.index("</Notes>") + len("</Notes>") :]
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n) for n in archive.namelist() if n != "project.qde"}
    plain = write_qdpx(tmp_path / "plain.qdpx", stripped, files)
    copy = fresh(tmp_path)
    copy.import_qdpx(plain)
    assert not copy.statements()
    paths = {c.path for c in copy.codes()}
    assert "Positions/Hamas/oppose/Truce › Temporary" in paths


def test_merging_into_a_project_with_the_same_articles(
    coded: ProjectService, corpus_files, tmp_path: Path
):
    """Articles imported separately (other UUIDs, same text) are matched by their text."""
    out = tmp_path / "project.qdpx"
    coded.export_qdpx(out)
    target = fresh(tmp_path, "team")
    target.import_files(corpus_files)
    own = {d.title for d in target.documents()}
    report, _ = target.import_qdpx(out)
    assert report.documents == 0 and report.known_documents == 4
    assert report.annotations == 3 and report.statements == 2
    assert {d.title for d in target.documents()} == own
    spans(target)


def test_article_whose_text_changed_keeps_its_own_highlights(coded: ProjectService, tmp_path):
    out = tmp_path / "project.qdpx"
    coded.export_qdpx(out)
    record = coded.document(coded.documents()[0].id)
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files[f"sources/{record.uuid}.txt"] = ("Edited. " + record.text).encode("utf-8")
    qde = files.pop("project.qde")
    edited = write_qdpx(tmp_path / "edited.qdpx", qde, files)
    copy = fresh(tmp_path)
    copy.import_qdpx(out)
    before = counts(copy)
    report, _ = copy.import_qdpx(edited)
    assert "text differs" in report.details()
    assert counts(copy) == before


def test_unreadable_marginalia_data_falls_back_to_plain_codes(
    coded: ProjectService, tmp_path: Path
):
    out = tmp_path / "project.qdpx"
    coded.export_qdpx(out)
    with zipfile.ZipFile(out) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    qde = files.pop("project.qde").decode("utf-8")
    start = qde.index("marginalia-extension/1") + len("marginalia-extension/1")
    qde = qde[:start] + "\n" + "[" * 100_000 + qde[qde.index("</PlainTextContent>") :]
    broken = write_qdpx(tmp_path / "broken-data.qdpx", qde, files)
    copy = fresh(tmp_path)
    report, _ = copy.import_qdpx(broken)
    assert "unreadable" in report.details()
    assert not copy.statements()
    assert any(c.path.startswith("Positions/Hamas") for c in copy.codes())
    assert report.annotations == 3


def test_progress_is_reported_and_cancel_leaves_nothing(coded: ProjectService, tmp_path: Path):
    out = tmp_path / "project.qdpx"
    calls: list[tuple[int, int]] = []
    coded.export_qdpx(out, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1]
    copy = fresh(tmp_path)
    before = counts(copy)
    seen: list[int] = []

    def cancel(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) > 1:
            raise Cancelled

    with pytest.raises(Cancelled):
        copy.import_qdpx(out, progress=cancel)
    assert counts(copy) == before
    assert gc.isenabled()


# Offsets other tools count differently -----------------------------------------------------
EMOJI_TEXT = (
    "Talks resumed 😀 in Cairo on Monday.\n"
    "Mediators 🌍 said the ceasefire 🙁 proposal was rejected.\n"
    "Negotiators 👍 expect another round 🎉 soon."
)
WORDS = ["Cairo", "ceasefire", "proposal", "rejected", "another round", "soon"]


def _utf16_selections(named: bool) -> str:
    parts = []
    for word in WORDS:
        start = EMOJI_TEXT.index(word)
        a, b = utf16(EMOJI_TEXT, start), utf16(EMOJI_TEXT, start + len(word))
        name = f' name="{word}"' if named else ""
        parts.append(
            f'<PlainTextSelection guid="{guid()}"{name} startPosition="{a}" endPosition="{b}"/>'
        )
    return "".join(parts)


@pytest.mark.parametrize("named", [True, False], ids=["quoted", "unquoted"])
def test_utf16_counting_exporter_is_corrected(tmp_path: Path, named: bool):
    service, report = import_source(tmp_path, "emoji", _utf16_selections(named), EMOJI_TEXT)
    assert [q for _, _, q in spans(service)["emoji"]] == sorted(WORDS, key=EMOJI_TEXT.index)
    assert report.offsets_corrected == len(WORDS)
    assert "UTF-16" in report.details()


def test_standard_positions_are_not_corrected(tmp_path: Path):
    selections = "".join(
        f'<PlainTextSelection guid="{guid()}" startPosition="{EMOJI_TEXT.index(w)}" '
        f'endPosition="{EMOJI_TEXT.index(w) + len(w)}"/>'
        for w in WORDS
    )
    service, report = import_source(tmp_path, "emoji", selections, EMOJI_TEXT)
    assert report.offsets_corrected == 0
    assert [q for _, _, q in spans(service)["emoji"]] == sorted(WORDS, key=EMOJI_TEXT.index)


LINES = "First line of the report.\nHamas rejected the offer.\nEgypt and Qatar mediate.\n"
LINE_WORDS = ["rejected", "offer", "Egypt", "Qatar", "mediate"]


@pytest.mark.parametrize(
    ("file_text", "width", "corrected"),
    [
        (LINES.replace("\n", "\r\n"), 2, False),  # CR LF file, CR counted: the standard
        (LINES, 2, True),  # LF file, a tool that counted CR LF
        (LINES.replace("\n", "\r\n"), 1, True),  # CR LF file counted as one (ATLAS.ti)
    ],
    ids=["crlf-standard", "lf-counted-as-two", "crlf-counted-as-one"],
)
def test_line_break_counting_is_detected(tmp_path: Path, file_text: str, width: int, corrected):
    selections = []
    for word in LINE_WORDS:
        start = LINES.index(word)
        shift = LINES[:start].count("\n") * (width - 1)
        end = start + len(word)
        selections.append(
            f'<PlainTextSelection guid="{guid()}" startPosition="{start + shift}" '
            f'endPosition="{end + shift}"/>'
        )
    service, report = import_source(tmp_path, "lines", "".join(selections), file_text)
    assert [q for _, _, q in spans(service)["lines"]] == LINE_WORDS
    assert "\r" not in service.document(service.documents()[0].id).text
    assert (report.offsets_corrected > 0) is corrected


def test_resolve_prefers_the_standard_and_maps_normalisation():
    decomposed = "Cafe\u0301 talks: the ceasefire holds."  # NFD é: NFC shortens the text
    source = SourceText(decomposed)
    start = decomposed.index("ceasefire")
    result = resolve(source, [Selection(start, start + 9, "ceasefire")])
    assert result.counting == STANDARD and result.corrected == 0
    (a, b) = result.spans[0]
    assert source.stored[a:b] == "ceasefire"
    assert source.place(Counting(utf16=True), 0, 3) == (0, 3)
    emoji = SourceText("a😀b")
    assert emoji.place(Counting(utf16=True), 1, 2) is None  # half a surrogate pair
    assert emoji.place(STANDARD, 2, 3) == (2, 3)


# Real files' quirks ------------------------------------------------------------------------
def test_capitalised_sources_upper_case_guids_inline_text_and_code_paths(tmp_path: Path):
    user, first, second = guid(), guid(), guid()
    code_guid = guid()
    text = "Israel demands the release of 40 living hostages."
    inline = "Egypt, Qatar and the US mediate a phased deal."
    word = text.index("hostages")
    qde = project_xml(
        users=f'<Users><User guid="{{{user.upper()}}}" name="Dana"/></Users>',
        codes=(
            f'<Code guid="{code_guid.upper()}" name="Demands::Hostages" isCodable="true"/>'
            '<Code guid="{0}" name="Mediation" isCodable="true" color="#ABC"/>'.format(guid())
        ),
        sources=(
            f'<TextSource guid="{first.upper()}" name="Demands" '
            f'plainTextPath="internal://{first.upper()}.txt">'
            f'<PlainTextSelection guid="{guid().upper()}" startPosition="{word}" '
            f'endPosition="{word + 8}" creatingUser="{user.upper()}">'
            f'<Coding guid="{guid()}"><CodeRef targetGUID="{code_guid}"/></Coding>'
            "</PlainTextSelection></TextSource>"
            f'<TextSource guid="{second}" name="Mediation"><PlainTextContent>{inline}'
            f'</PlainTextContent><PlainTextSelection guid="{guid()}" startPosition="0" '
            'endPosition="5"/></TextSource>'
        ),
    ).replace("</Sources>", "</Sources><Sets/>")
    path = write_qdpx(tmp_path / "nvivo.qdpx", qde, {f"Sources/{first.lower()}.txt": text})
    service = fresh(tmp_path)
    report, _ = service.import_qdpx(path)
    assert report.documents == 2 and not report.skipped
    found = spans(service)
    assert found["Demands"] == [(word, word + 8, "hostages")]
    assert found["Mediation"] == [(0, 5, "Egypt")]
    codes = {c.path: c for c in service.codes()}
    assert set(codes) == {"Demands", "Demands/Hostages", "Mediation"}
    assert codes["Mediation"].color == "#aabbcc"
    assert codes["Demands/Hostages"].uuid == code_guid
    assert all(c.color.startswith("#") and len(c.color) == 7 for c in codes.values())
    doc = next(d for d in service.documents() if d.title == "Demands")
    (highlight,) = service.annotations(doc.id)
    assert highlight.coder_name == "Dana"
    assert highlight.code_ids == (codes["Demands/Hostages"].id,)
    mediation = next(d for d in service.documents() if d.title == "Mediation")
    assert service.annotations(mediation.id)[0].coder_name == "importer"


def test_selection_coded_by_two_users_and_memo_notes(tmp_path: Path):
    ann, bob, code, note = guid(), guid(), guid(), guid()
    source, selection = guid(), guid()
    text = "The ceasefire proposal was rejected by Hamas."
    qde = project_xml(
        users=f'<Users><User guid="{ann}" name="ann"/><User guid="{bob}" name="bob"/></Users>',
        codes=f'<Code guid="{code}" name="Rejection" isCodable="true"/>',
        sources=(
            f'<TextSource guid="{source}" name="doc" plainTextPath="internal://{source}.txt">'
            f'<PlainTextSelection guid="{selection}" startPosition="4" endPosition="13" '
            f'creatingUser="{ann}"><Coding guid="{guid()}" creatingUser="{ann}">'
            f'<CodeRef targetGUID="{code}"/></Coding><Coding guid="{guid()}" '
            f'creatingUser="{bob}"><CodeRef targetGUID="{code}"/></Coding>'
            f'<NoteRef targetGUID="{note}"/></PlainTextSelection></TextSource>'
        ),
        notes=(
            f'<Notes><Note guid="{note}" name="memo"><PlainTextContent>Ann thinks so'
            "</PlainTextContent></Note></Notes>"
        ),
    )
    path = write_qdpx(tmp_path / "two.qdpx", qde, {f"sources/{source}.txt": text})
    service = fresh(tmp_path)
    report, _ = service.import_qdpx(path)
    assert report.annotations == 2 and report.codings == 2
    doc = service.documents()[0].id
    by_coder = {a.coder_name: a for a in service.annotations(doc)}
    assert set(by_coder) == {"ann", "bob"}
    assert by_coder["ann"].uuid == selection and by_coder["ann"].memo == "Ann thinks so"
    assert by_coder["bob"].quote == "ceasefire" and by_coder["bob"].memo == ""


def test_unusable_sources_are_skipped_and_reported(tmp_path: Path):
    good, missing, external = guid(), guid(), guid()
    qde = project_xml(
        f'<TextSource guid="{good}" name="good" plainTextPath="internal://{good}.txt">'
        f'<PlainTextSelection guid="{guid()}" startPosition="0" endPosition="400"/>'
        "</TextSource>"
        f'<TextSource guid="{missing}" name="missing" plainTextPath="internal://{missing}.txt"/>'
        f'<TextSource guid="{external}" name="external" '
        'plainTextPath="absolute:///etc/passwd"/>'
        f'<PictureSource guid="{guid()}" name="photo" path="internal://x.png"/>'
    )
    path = write_qdpx(tmp_path / "odd.qdpx", qde, {f"sources/{good}.txt": "Short text."})
    service = fresh(tmp_path)
    report, _ = service.import_qdpx(path)
    assert report.documents == 1 and report.annotations == 0
    details = report.details()
    assert "outside its source's text" in details
    assert "missing" in details and "not in the archive" in details
    assert "PictureSource" in details
    assert "root:" not in service.document(service.documents()[0].id).text


def test_a_project_in_another_tools_shape(tmp_path: Path):
    """As ATLAS.ti and QualCoder write it: the project XML named after the project inside a
    folder, another schema version, braced GUIDs, no isCodable, selections naming only their
    last editor, variables in another language's names, a relative path left unread."""
    ns = "urn:QDA-XML:project:0:4"
    user, code, child, source, other = guid(), guid(), guid(), guid(), guid()
    text = "Qatar and Egypt mediate; Hamas opposes a temporary truce.\r\nIsrael demands more."
    word = text.index("temporary truce")
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{ns}" name="Gaza study">'
        f'<Users><User guid="{{{user.upper()}}}" name="Lea"/></Users>'
        f'<CodeBook><Codes><Code guid="{{{code}}}" name="Stance">'
        f'<Code guid="{child}" name="Opposes"><Description>Against it</Description></Code>'
        "</Code></Codes></CodeBook>"
        f'<Variables><Variable guid="{guid()}" name="Zeitung" typeOfVariable="Text"/></Variables>'
        f'<Sources><TextSource guid="{{{source.upper()}}}" name="Talks" '
        f'plainTextPath="internal://{source}.txt" creationDateTime="2024-02-01T10:00:00">'
        f'<PlainTextSelection guid="{guid()}" name="temporary truce" startPosition="{word}" '
        f'endPosition="{word + 15}" modifyingUser="{{{user}}}">'
        f'<Coding guid="{guid()}"><CodeRef targetGUID="{{{child.upper()}}}"/></Coding>'
        "</PlainTextSelection></TextSource>"
        f'<TextSource guid="{other}" name="Elsewhere" plainTextPath="relative://../x.txt"/>'
        "</Sources><Sets/><Notes/></Project>"
    )
    path = tmp_path / "atlas.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Gaza study/Gaza study.qde", qde)
        archive.writestr(f"Gaza study/sources/{source}.txt", text.encode("utf-8-sig"))
    service = fresh(tmp_path)
    report, _ = service.import_qdpx(path)
    assert (report.documents, report.annotations, report.codings) == (1, 1, 1)
    assert "Elsewhere" in report.details() and "not in the archive" in report.details()
    codes = {c.path: c for c in service.codes()}
    assert set(codes) == {"Stance", "Stance/Opposes"}
    assert codes["Stance"].uuid == code and codes["Stance/Opposes"].description == "Against it"
    doc = service.documents()[0]
    (highlight,) = service.annotations(doc.id)
    assert (highlight.quote, highlight.coder_name) == ("temporary truce", "Lea")
    assert highlight.code_ids == (codes["Stance/Opposes"].id,)
    assert service.document(doc.id).uuid == source


def test_two_project_files_in_the_archive_are_refused(populated: ProjectService, tmp_path):
    """One named project.qde is the project; two others are a riddle, not a guess."""
    path = tmp_path / "two.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("first.qde", project_xml(""))
        archive.writestr("second.qde", project_xml(""))
    _assert_refused(populated, path, "2 project files")


def test_wrong_positions_are_skipped_and_the_right_one_kept(tmp_path: Path):
    text = "Hamas rejected the offer in Cairo."
    wrong = [(10, 5), (-3, 4), (0, 10**12), (5, 5), (0, 35)]
    selections = "".join(
        f'<PlainTextSelection guid="{guid()}" startPosition="{a}" endPosition="{b}"/>'
        for a, b in [*wrong, (0, 5)]
    )
    selections += f'<PlainTextSelection guid="{guid()}" startPosition="x" endPosition="3"/>'
    service, report = import_source(tmp_path, "offsets", selections, text)
    assert spans(service)["offsets"] == [(0, 5, "Hamas")]
    assert report.skipped["a selection outside its source's text"] == len(wrong)
    assert report.skipped["a selection without readable positions"] == 1
    assert report.offsets_corrected == 0


def test_exports_of_sparse_projects_are_valid(
    service: ProjectService, tmp_path: Path, project_schema, codebook_schema
):
    """An empty project, one with only a codebook, one with actors and issues but no
    statements: each export is valid and imports."""
    service.use_coder("ann")
    steps = [
        lambda: None,
        lambda: service.create_code("Talks", description="Negotiations"),
        lambda: (service.create_actor("Hamas", kind="group"), service.create_issue("Truce")),
    ]
    for n, step in enumerate(steps):
        step()
        out = tmp_path / f"sparse{n}.qdpx"
        service.export_qdpx(out)
        with zipfile.ZipFile(out) as archive:
            project_schema.validate(io.BytesIO(archive.read("project.qde")))
        copy = fresh(tmp_path, f"copy{n}")
        copy.import_qdpx(out)
        assert [c.path for c in copy.codes()] == [c.path for c in service.codes()]
        assert [a.name for a in copy.actors()] == [a.name for a in service.actors()]
    service.export_qdc(tmp_path / "one.qdc")
    codebook_schema.validate(str(tmp_path / "one.qdc"))


# Hostile files: a clear message, and the project as it was ---------------------------------
@pytest.fixture
def populated(service: ProjectService, corpus_files) -> ProjectService:
    service.use_coder("ann")
    service.import_files(corpus_files[:2])
    code, _ = service.create_code("Talks")
    doc = service.documents()[0].id
    service.annotate(doc, None, 0, 10, [code])
    return service


def _assert_refused(service: ProjectService, path: Path, match: str, qdc: bool = False) -> None:
    before = counts(service)
    with pytest.raises(InvalidInput, match=match) as caught:
        (service.import_qdc if qdc else service.import_qdpx)(path)
    assert "nothing was imported" in str(caught.value)
    assert counts(service) == before


XXE = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    f'<Project xmlns="{NS}" name="x"><Description>&xxe;</Description></Project>'
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + f']>\n<Project xmlns="{NS}" name="&lol9;"/>'
)


def test_xxe_is_refused(populated: ProjectService, tmp_path: Path):
    path = write_qdpx(tmp_path / "xxe.qdpx", XXE)
    _assert_refused(populated, path, r"external entity \(file:///etc/passwd\).*XXE")
    qdc = tmp_path / "xxe.qdc"
    qdc.write_text(XXE.replace("Project", "CodeBook"), encoding="utf-8")
    _assert_refused(populated, qdc, "XXE", qdc=True)


def test_billion_laughs_is_refused(populated: ProjectService, tmp_path: Path):
    path = write_qdpx(tmp_path / "laughs.qdpx", LAUGHS)
    _assert_refused(populated, path, "billion laughs")


@pytest.mark.parametrize(
    "entry", ["../../evil.txt", "/etc/cron.d/evil", "C:\\Windows\\evil.txt", "sources/../../x"]
)
def test_zip_slip_entries_are_refused(populated: ProjectService, tmp_path: Path, entry: str):
    path = write_qdpx(tmp_path / "slip.qdpx", project_xml(""), {entry: "owned"})
    _assert_refused(populated, path, "zip-slip")


def test_too_many_entries_are_refused(
    populated: ProjectService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(
        safe_zip, "DEFAULT_LIMITS", replace(safe_zip.DEFAULT_LIMITS, max_entries=50)
    )
    files = {f"sources/{i}.txt": "x" for i in range(60)}
    path = write_qdpx(tmp_path / "many.qdpx", project_xml(""), files)
    _assert_refused(populated, path, r"too many entries \(61; the limit is 50\)")


def test_decompression_bomb_is_refused(populated: ProjectService, tmp_path: Path):
    path = write_qdpx(tmp_path / "bomb.qdpx", project_xml(""), {"sources/a.txt": b"\0" * 8_000_000})
    _assert_refused(populated, path, "decompression bomb")


def test_oversized_project_xml_is_refused(
    populated: ProjectService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    limits = replace(safe_zip.DEFAULT_LIMITS, max_member_bytes=1000)
    monkeypatch.setattr(safe_zip, "DEFAULT_LIMITS", limits)
    path = write_qdpx(tmp_path / "big.qdpx", project_xml("") + " " * 2000)
    _assert_refused(populated, path, "too large to read")


def test_oversized_codebook_is_refused(
    populated: ProjectService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(refi_xml, "MAX_QDC_BYTES", 1000)
    path = tmp_path / "big.qdc"
    path.write_text(f'<CodeBook xmlns="{CODEBOOK_NS}"><Codes/>' + " " * 2000 + "</CodeBook>")
    _assert_refused(populated, path, "too large for a codebook", qdc=True)


def test_not_a_zip_is_refused(populated: ProjectService, tmp_path: Path):
    path = tmp_path / "fake.qdpx"
    path.write_text("this is a text file, not an archive", encoding="utf-8")
    _assert_refused(populated, path, "not a zip archive")


def test_archive_without_project_xml_is_refused(populated: ProjectService, tmp_path: Path):
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sources/a.txt", "text")
    _assert_refused(populated, path, "no project.qde")


def test_other_xml_is_refused(populated: ProjectService, tmp_path: Path):
    path = write_qdpx(tmp_path / "html.qdpx", "<html><body>hi</body></html>")
    _assert_refused(populated, path, "not a REFI-QDA project")
    broken = write_qdpx(tmp_path / "broken.qdpx", f'<Project xmlns="{NS}" name="x"><Users>')
    _assert_refused(populated, broken, "not well-formed XML")


def test_a_late_error_leaves_nothing_of_what_was_already_read(
    populated: ProjectService, tmp_path: Path
):
    """Sources are written in batches as the XML streams; a broken end rolls all back."""
    files, sources = {}, []
    for i in range(refi_import.FLUSH_SOURCES + 50):
        source = guid()
        files[f"sources/{source}.txt"] = f"Article number {i} about the talks."
        sources.append(
            f'<TextSource guid="{source}" name="a{i}" plainTextPath="internal://{source}.txt">'
            f'<PlainTextSelection guid="{guid()}" startPosition="0" endPosition="7"/>'
            "</TextSource>"
        )
    qde = project_xml("".join(sources)).replace("</Project>", "<Notes><Note></Project>")
    path = write_qdpx(tmp_path / "late.qdpx", qde, files)
    _assert_refused(populated, path, "not well-formed XML")


# On a team server ------------------------------------------------------------------------------
def test_qdpx_imports_into_a_postgres_project(coded: ProjectService, tmp_path: Path, pg_url: str):
    """The same archive into PostgreSQL: same articles, codes, highlights and statements; a
    broken archive afterwards leaves the server project as it was."""
    out = tmp_path / "project.qdpx"
    coded.export_qdpx(out)
    before = snapshot(coded)
    server = ProjectService.open(pg_url)
    try:
        server.use_coder("importer")
        report, changes = server.import_qdpx(out)
        assert (report.documents, report.annotations, report.statements) == (4, 3, 2)
        assert changes.documents and changes.codebook
        after = snapshot(server)
        for key in ("documents", "codes", "statements", "actors", "issues"):
            assert after[key] == before[key], key
        spans(server)
        qdc = tmp_path / "codebook.qdc"
        coded.export_qdc(qdc)
        assert server.import_qdc(qdc)[0].codes == 0  # the same codes, by GUID

        broken = write_qdpx(tmp_path / "late.qdpx", project_xml("<TextSource>"))
        with pytest.raises(InvalidInput, match="not well-formed XML"):
            server.import_qdpx(broken)
        assert snapshot(server) == after
        again, _ = server.import_qdpx(out)
        assert (again.documents, again.annotations, again.known_documents) == (0, 0, 4)
    finally:
        server.close()
