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
    documents = sorted(d for d in texts if any(expected_labels[c][d] for c in PASSAGES))
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
    assert {r["coefficient"] for r in read} == {"percent agreement", "cohen kappa"}
    assert cli_main(["agreement", str(service.project.path), "--coders", "ann,zoe"]) == 1
