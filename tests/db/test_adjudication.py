"""Comparison passages and the gold layer, built from two scripted coders on the corpus."""

import csv

import pytest

from db.cli import main as cli_main
from db.errors import InvalidInput
from db.logic.comparison import Coding, Target, differing_ranges, passages

SAME = "Hamas will not agree to a temporary ceasefire"
ONLY_ANN = "Hamas will reject the latest proposal"
SHIFTED = "Hamas has rejected a ceasefire proposal"


@pytest.fixture
def coded(service, corpus_files):
    """ann and bob code three passages: one identical, one only ann, one with shifted bounds."""
    service.import_files(corpus_files)
    rejection, _ = service.create_code("Rejection")
    truce, _ = service.create_code("Truce")
    texts = {d.id: service.document(d.id).text for d in service.documents()}

    def where(passage):
        doc = next(d for d, t in texts.items() if passage in t)
        start = texts[doc].index(passage)
        return doc, start, start + len(passage)

    ann, bob = service.ensure_coder("ann"), service.ensure_coder("bob")
    for coder in (ann, bob):
        service.annotate(*where(SAME)[:1], coder, *where(SAME)[1:], [rejection])
    service.annotate(*where(ONLY_ANN)[:1], ann, *where(ONLY_ANN)[1:], [rejection])
    doc, start, end = where(SHIFTED)
    service.annotate(doc, ann, start, end, [rejection, truce])
    service.annotate(doc, bob, start + 6, end, [rejection])
    service.use_coder("owner")
    return service, where, ann, bob, rejection, truce


def test_passages_group_overlaps_per_code_and_tell_agreement():
    a = Coding(1, 1, 0, 10, frozenset({7}))
    b = Coding(2, 2, 0, 10, frozenset({7}))
    c = Coding(3, 1, 20, 30, frozenset({7}))
    d = Coding(4, 2, 25, 40, frozenset({7}))
    wide = Coding(5, 1, 0, 40, frozenset({8}))  # another code does not glue passages together
    found = passages([d, c, wide, b, a], [1, 2])
    assert [(p.code_id, p.start, p.end, p.agreed) for p in found] == [
        (7, 0, 10, True),
        (8, 0, 40, False),
        (7, 20, 40, False),
    ]
    assert differing_ranges(found[2], [1, 2]) == [(20, 25), (30, 40)]
    assert passages([a], [1, 2])[0].agreed is False  # the other coder saw nothing to code


def test_comparison_lists_the_known_disagreements(coded):
    service, where, ann, bob, rejection, truce = coded
    for passage, expected in (
        (SAME, {(rejection, True)}),
        (ONLY_ANN, {(rejection, False)}),
        (SHIFTED, {(rejection, False), (truce, False)}),  # other bounds; Truce only by ann
    ):
        doc, start, end = where(passage)
        comparison = service.compare(doc, [ann, bob])
        found = [p for p in comparison.passages if p.overlaps(start, end)]
        assert {(p.code_id, p.agreed) for p in found} == expected
        assert {(p.start, p.end) for p in found} == {(start, end)}
    counts = {c.document_id: c for c in service.disagreement_counts([ann, bob])}
    assert sum(c.disagreements for c in counts.values()) == 3
    assert sum(c.passages for c in counts.values()) == 4


def test_adjudication_builds_the_expected_gold_layer(coded, tmp_path):
    service, where, ann, bob, rejection, truce = coded
    n, _ = service.accept_agreed([ann, bob])
    assert n == 1
    doc, start, end = where(SHIFTED)
    service.accept_coding(Target(doc, rejection, start, end), [bob])  # accept B
    service.accept_coding(Target(doc, rejection, start, end), [ann, bob])  # no: accept both
    service.accept_coding(Target(doc, truce, start, end), [ann])  # Truce: accept A
    only_doc, only_start, only_end = where(ONLY_ANN)
    service.settle_passage(
        Target(only_doc, rejection, only_start, only_end), [(only_start, only_end - 9, {truce})]
    )
    gold = service.gold_coder()
    layer = sorted(
        (a.document_id, a.start, a.end, frozenset(a.code_ids))
        for d in {where(p)[0] for p in (SAME, ONLY_ANN, SHIFTED)}
        for a in service.annotations(d)
        if a.coder_id == gold
    )
    same_doc, same_start, same_end = where(SAME)
    assert layer == sorted(
        [
            (same_doc, same_start, same_end, frozenset({rejection})),
            (doc, start, end, frozenset({rejection, truce})),  # both: one span, the union
            (only_doc, only_start, only_end - 9, frozenset({truce})),
        ]
    )
    assert all(not c.open for c in service.disagreement_counts([ann, bob]))
    # the adjudicator's steps are ordinary history, each one undoable
    entries, applied = service.history()
    assert [e.summary.split(" ")[:2] for e in entries[:applied]][-4:] == [
        ["Gold:", "accept"],
        ["Gold:", "accept"],
        ["Gold:", "accept"],
        ["Gold:", "edit"],
    ]

    def gold_in_only_ann():
        return [
            (a.start, a.end)
            for a in service.annotations(only_doc)
            if a.coder_id == gold and only_start <= a.start < only_end
        ]

    service.undo(entries[applied - 1].event_id)
    assert gold_in_only_ann() == []
    service.redo(entries[applied - 1].event_id)
    assert gold_in_only_ann() == [(only_start, only_end - 9)]
    out = tmp_path / "gold.csv"
    project = str(service.project.path)
    assert cli_main(["export", "annotations", project, "-o", str(out), "--coder", "gold"]) == 0
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["coder"] for r in rows} == {"gold"}
    assert len(rows) == 4  # three highlights, one of them with two codes


def test_accepting_brings_positions_along(coded):
    service, where, ann, *_ = coded
    doc, start, end = where(SAME)
    service.use_coder("ann")
    service.code_position(doc, start, end, "Hamas", "Truce", -1)
    service.use_coder("owner")
    rejection = coded[4]
    service.accept_coding(Target(doc, rejection, start, end), [ann])
    gold = [s for s in service.statements() if s.coder == "gold"]
    assert [(s.actor, s.stance) for s in gold] == [("Hamas", -1)]
    with pytest.raises(InvalidInput):
        service.accept_coding(Target(doc, rejection, start, end), [])


def test_accepting_a_coder_who_coded_nothing_settles_the_passage(coded):
    service, where, ann, bob, rejection, _ = coded
    doc, start, end = where(ONLY_ANN)
    before = {c.document_id: c.open for c in service.disagreement_counts([ann, bob])}
    service.accept_coding(Target(doc, rejection, start, end), [bob])  # bob saw nothing here
    after = {c.document_id: c.open for c in service.disagreement_counts([ann, bob])}
    assert after[doc] == before[doc] - 1
    gold = service.gold_coder()
    assert not [a for a in service.annotations(doc) if a.coder_id == gold]


def test_next_open_document_goes_round_the_project(coded):
    service, where, ann, bob, rejection, _ = coded
    only, shifted = where(ONLY_ANN)[0], where(SHIFTED)[0]
    assert only != shifted
    first, second = sorted((only, shifted))
    assert service.next_open_document([ann, bob], None) == first
    assert service.next_open_document([ann, bob], first) == second
    assert service.next_open_document([ann, bob], second) == first  # wraps around
    assert service.next_open_document([ann, bob], second, step=-1) == first
    doc, start, end = where(ONLY_ANN)
    service.accept_coding(Target(doc, rejection, start, end), [ann])
    assert service.next_open_document([ann, bob], shifted) == shifted  # the only one left


def gold_positions(service):
    return sorted((s.actor, s.issue, s.stance) for s in service.statements() if s.coder == "gold")


def test_a_new_decision_takes_the_replaced_positions_away(coded):
    service, where, ann, bob, rejection, _ = coded
    doc, start, end = where(ONLY_ANN)
    service.use_coder("ann")
    service.code_position(doc, start, end, "Hamas", "Truce", -1)
    service.use_coder("owner")
    service.accept_coding(Target(doc, rejection, start, end), [ann])
    assert gold_positions(service) == [("Hamas", "Truce", -1)]
    service.accept_coding(Target(doc, rejection, start, end), [bob])  # no: nothing to code
    assert gold_positions(service) == []
    gold = service.gold_coder()
    assert [a for a in service.annotations(doc) if a.coder_id == gold] == []


def test_accepting_both_joins_overlapping_spans_and_keeps_each_position_once(coded):
    service, where, ann, bob, rejection, _ = coded
    doc, start, end = where(SHIFTED)
    for name in ("ann", "bob"):
        service.use_coder(name)
        begin = start if name == "ann" else start + 6
        service.code_position(doc, begin, end, "Hamas", "Truce", -1)
    service.use_coder("owner")
    service.accept_coding(Target(doc, rejection, start, end), [ann, bob])
    gold = service.gold_coder()
    assert [(a.start, a.end) for a in service.annotations(doc) if a.coder_id == gold] == [
        (start, end)
    ]
    assert gold_positions(service) == [("Hamas", "Truce", -1)]


def test_deleted_articles_are_left_out_of_comparison_and_copying(coded):
    service, where, ann, bob, *_ = coded
    doc = where(SAME)[0]
    service.delete_documents([doc])
    assert doc not in {c.document_id for c in service.disagreement_counts([ann, bob])}
    n, _ = service.accept_agreed([ann, bob])  # SAME was the only agreed passage
    assert n == 0


def test_a_later_edit_reopens_a_settled_passage_and_copying_respects_rulings(coded):
    service, where, ann, bob, rejection, _ = coded
    doc, start, end = where(ONLY_ANN)
    service.accept_coding(Target(doc, rejection, start, end), [bob])  # nothing to code
    (passage,) = [p for p in service.compare(doc, [ann, bob]).passages if p.overlaps(start, end)]
    comparison = service.compare(doc, [ann, bob])
    assert comparison.resolved(passage) and comparison.ruling_for(passage) is not None
    service.annotate(doc, bob, start, end - 4, [rejection])  # bob changes his mind afterwards
    comparison = service.compare(doc, [ann, bob])
    (passage,) = [p for p in comparison.passages if p.overlaps(start, end)]
    assert not comparison.resolved(passage)

    same_doc, same_start, same_end = where(SAME)
    service.settle_passage(Target(same_doc, rejection, same_start, same_end), [])  # nothing
    n, _ = service.accept_agreed([ann, bob])
    assert n == 0  # the agreed passage was ruled "nothing to code": copying leaves it so
    gold = service.gold_coder()
    assert [a for a in service.annotations(same_doc) if a.coder_id == gold] == []


def test_merging_a_copy_brings_its_rulings(coded, tmp_path):
    from db.service import ProjectService

    service, where, ann, bob, rejection, _ = coded
    service.export_copy(tmp_path / "judge.sqlite")
    judge = ProjectService.open(tmp_path / "judge.sqlite", create=False)
    judge.use_coder("owner")
    doc, start, end = where(ONLY_ANN)
    judge.accept_coding(Target(doc, rejection, start, end), [bob])
    judge.close()
    report, _ = service.merge_from(tmp_path / "judge.sqlite")
    assert report.added["decision"] == 1
    counts = {c.document_id: c.open for c in service.disagreement_counts([ann, bob])}
    comparison = service.compare(doc, [ann, bob])
    assert not [p for p in comparison.open_disagreements if p.overlaps(start, end)]
    assert counts[doc] == len(comparison.open_disagreements)
