"""W3C Web Annotation export: a JSON-LD collection whose selectors point at the right text."""

import json

from db.service import ProjectService


def test_jsonld_selectors_point_at_the_quoted_text(service: ProjectService, corpus_files, tmp_path):
    service.use_coder("ann")
    service.import_files(corpus_files)
    parent, _ = service.create_code("Talks")
    child, _ = service.create_code("Truce", parent_id=parent)
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    doc, text = next((d, t) for d, t in texts.items() if "ceasefire" in t)
    start = text.index("ceasefire")
    annotation_id, _ = service.annotate(doc, None, start, start + 9, [child, parent])
    service.set_memo(annotation_id, "key passage")
    service.code_position(doc, start, start + 9, "Hamas", "Truce", -1)
    other = service.ensure_coder("bob")
    service.annotate(doc, other, 0, 5, [])
    out = tmp_path / "annotations.jsonld"
    assert service.export_web_annotations(out) == 2
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "AnnotationCollection"
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    items = data["first"]["items"]
    assert data["total"] == len(items) == 2
    by_creator = {i["creator"]["name"]: i for i in items}
    mine = by_creator["ann"]
    quote, position = mine["target"]["selector"]
    assert (quote["type"], position["type"]) == ("TextQuoteSelector", "TextPositionSelector")
    assert text[position["start"] : position["end"]] == quote["exact"] == "ceasefire"
    assert text[: position["start"]].endswith(quote["prefix"])
    assert text[position["end"] :].startswith(quote["suffix"])
    bodies = {(b["purpose"], b["value"]) for b in mine["body"]}
    assert {
        ("tagging", "Talks"),
        ("tagging", "Talks/Truce"),
        ("commenting", "key passage"),
    } <= bodies
    assert any(p == "classifying" and v.startswith("Hamas") for p, v in bodies)
    assert mine["motivation"] == "tagging"
    assert by_creator["bob"]["motivation"] == "highlighting"
    assert mine["id"].startswith("urn:uuid:") and mine["target"]["source"].startswith("urn:uuid:")
    assert service.export_web_annotations(tmp_path / "bob.jsonld", ["bob"]) == 1


def test_cli_writes_jsonld(service: ProjectService, corpus_files, tmp_path, capsys):
    from db.cli import main

    service.use_coder("ann")
    service.import_files(corpus_files[:1])
    doc = service.documents()[0].id
    service.annotate(doc, None, 0, 10, [])
    out = tmp_path / "all.jsonld"
    assert main(["export", "jsonld", str(service.project.path), "-o", str(out)]) == 0
    assert "1 annotations written" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["total"] == 1
