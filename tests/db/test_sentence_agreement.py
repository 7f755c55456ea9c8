"""Agreement of two scripted coders on the corpus, with overlaps known in advance."""

import csv

from db.cli import main as cli_main
from db.logic.agreement import coded_units, cohen_kappa, sentence_units

PASSAGES = {  # coder -> passages tagged "Rejection"
    "ann": [
        "Hamas will not agree to a temporary ceasefire",
        "Hamas will reject the latest proposal",
        "Hamas has rejected a ceasefire proposal",
    ],
    "bob": [
        "Hamas will not agree to a temporary ceasefire",
        "Hamas has rejected a ceasefire proposal",
        "they had officially dismissed the proposal",
    ],
}


def test_sentence_kappa_for_two_coders_matches_a_hand_computation(
    service, corpus_files, tmp_path, capsys
):
    service.import_files(corpus_files)
    code, _ = service.create_code("Rejection")
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    expected_labels = {}
    for coder, passages in PASSAGES.items():
        coder_id = service.ensure_coder(coder)
        spans = {d: [] for d in texts}
        for passage in passages:
            doc = next(d for d, t in texts.items() if passage in t)
            start = texts[doc].index(passage)
            service.annotate(doc, coder_id, start, start + len(passage), [code])
            spans[doc].append((start, start + len(passage)))
        expected_labels[coder] = spans
    documents = sorted(d for d in texts if all(expected_labels[c][d] for c in PASSAGES))
    labels = {
        c: [
            f
            for d in documents
            for f in coded_units(sentence_units(texts[d]), expected_labels[c][d])
        ]
        for c in PASSAGES
    }
    expected = cohen_kappa(labels["ann"], labels["bob"])
    assert 0 < expected < 1
    rows = {(r.coefficient, r.code): r for r in service.agreement(["ann", "bob"])}
    assert rows["cohen kappa", "Rejection"].value == round(expected, 4)
    assert rows["cohen kappa", "Rejection"].units == len(labels["ann"])
    out = tmp_path / "agreement.csv"
    assert (
        cli_main(["agreement", str(service.project.path), "--coders", "ann,bob", "-o", str(out)])
        == 0
    )
    assert "cohen kappa" in capsys.readouterr().out
    with out.open(encoding="utf-8", newline="") as f:
        read = list(csv.DictReader(f))
    assert {r["coefficient"] for r in read} == {
        "unitizing alpha (α-u)",
        "percent agreement",
        "cohen kappa",
    }
    assert cli_main(["agreement", str(service.project.path), "--coders", "ann,zoe"]) == 1


def test_deleted_articles_leave_the_sentence_units(service, corpus_files):
    service.import_files(corpus_files)
    code, _ = service.create_code("Rejection")
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    kept, gone = (next(d for d, t in texts.items() if p in t) for p in PASSAGES["ann"][::2])
    assert kept != gone
    for coder in PASSAGES:
        coder_id = service.ensure_coder(coder)
        for doc in (kept, gone):
            service.annotate(doc, coder_id, 0, 40, [code])
    service.use_coder("ann")
    service.delete_documents([gone])
    rows = {(r.coefficient, r.code): r for r in service.agreement(["ann", "bob"])}
    assert rows["percent agreement", "Rejection"].units == len(sentence_units(texts[kept]))
    assert "in 1 article(s)" in rows["percent agreement", "Rejection"].compared


def test_unitizing_alpha_on_the_corpus_matches_the_layers_built_by_hand(service, corpus_files):
    from db.logic.unitizing import pooled_unitizing_alpha, unitizing_alpha

    service.import_files(corpus_files)
    rejection, _ = service.create_code("Rejection")
    truce, _ = service.create_code("Truce")
    texts = {d.id: service.document(d.id).text for d in service.documents()}
    layers = {rejection: {}, truce: {}}
    for coder, passages in PASSAGES.items():
        coder_id = service.ensure_coder(coder)
        for i, passage in enumerate(passages):
            doc = next(d for d, t in texts.items() if passage in t)
            start = texts[doc].index(passage) + (4 if coder == "bob" and i == 1 else 0)
            code = truce if i == 2 else rejection
            service.annotate(doc, coder_id, start, start + len(passage) - 6, [code])
            layers[code].setdefault(coder, {}).setdefault(doc, []).append(
                (start, start + len(passage) - 6)
            )
    documents = sorted({d for code in layers.values() for c in code.values() for d in c})
    lengths = [len(texts[d]) for d in documents]
    expected = {
        code: unitizing_alpha(
            lengths, [[layer.get(c, {}).get(d, []) for d in documents] for c in PASSAGES]
        )
        for code, layer in layers.items()
    }
    assert 0 < expected[rejection].alpha < 1  # two shared passages, one shifted by 4 chars
    assert expected[truce].alpha < 0  # their Truce passages do not even overlap
    rows = {
        r.code: r for r in service.agreement(["ann", "bob"]) if r.coefficient.startswith("unit")
    }
    assert rows["Rejection"].value == round(expected[rejection].alpha, 4)
    assert rows["Truce"].value == round(expected[truce].alpha, 4)
    pooled = pooled_unitizing_alpha(expected.values())
    assert rows["(all codes)"].value == round(pooled.alpha, 4)
    assert str(sum(lengths)) in rows["Rejection"].compared


def test_only_articles_both_coders_worked_on_count_and_unused_codes_stay_out(service, corpus_files):
    """bob never opened the second article: ann's coding there is not a disagreement. A code
    nobody used adds no row and no free agreement to the overall kappa."""
    service.import_files(corpus_files)
    rejection, _ = service.create_code("Rejection")
    service.create_code("Unused")
    shared, only_ann, marked = (d.id for d in service.documents()[:3])
    ann, bob = service.ensure_coder("ann"), service.ensure_coder("bob")
    service.annotate(shared, ann, 0, 30, [rejection])
    service.annotate(shared, bob, 0, 30, [rejection])
    service.annotate(only_ann, ann, 0, 30, [rejection])
    rows = {(r.coefficient, r.code): r for r in service.agreement(["ann", "bob"])}
    assert ("cohen kappa", "Unused") not in rows
    assert rows["percent agreement", "Rejection"].value == 1.0
    assert rows["unitizing alpha (α-u)", "Rejection"].value == 1.0
    assert (
        "1 article(s) every one of these coders worked on"
        in rows["cohen kappa", "Rejection"].compared
    )
    assert "(1 touched by only some of them left out)" in rows["cohen kappa", "Rejection"].compared
    overall = rows["cohen kappa", "(all codes)"]
    assert overall.value == rows["cohen kappa", "Rejection"].value
    assert overall.units == rows["cohen kappa", "Rejection"].units

    # an article marked done by both counts even where one of them coded nothing
    service.use_coder("bob")
    service.set_status(marked, "done")
    service.use_coder("ann")
    service.set_status(marked, "done")
    service.annotate(marked, ann, 0, 30, [rejection])
    rows = {(r.coefficient, r.code): r for r in service.agreement(["ann", "bob"])}
    assert "2 article(s) every one" in rows["cohen kappa", "Rejection"].compared
    assert rows["percent agreement", "Rejection"].value < 1.0


def test_kappa_is_undefined_when_every_unit_got_the_same_label(service, corpus_files):
    service.import_files(corpus_files)
    code, _ = service.create_code("Everything")
    doc = service.documents()[0]
    length = len(service.document(doc.id).text)
    for name in ("ann", "bob"):
        service.annotate(doc.id, service.ensure_coder(name), 0, length, [code])
    rows = {(r.coefficient, r.code): r for r in service.agreement(["ann", "bob"])}
    assert rows["cohen kappa", "Everything"].value is None
    assert rows["cohen kappa", "Everything"].compared.startswith("undefined:")
    assert rows["percent agreement", "Everything"].value == 1.0
