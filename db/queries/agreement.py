"""Agreement between coders on sentence units, per code and over all codes.

A sentence counts as coded with a code by a coder when one of that coder's highlights carrying
the code overlaps it. Every row says what was compared, so a reader can reproduce it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.logic.agreement import binary_agreement, coded_units, sentence_units
from db.models import Annotation, AnnotationCode, Coder, Document
from db.queries.codes import list_codes


@dataclass(frozen=True, slots=True)
class AgreementRow:
    coefficient: str
    code: str
    value: float
    units: int
    compared: str


def sentence_agreement(
    session: Session, coders: list[str], code_paths: list[str] | None = None
) -> list[AgreementRow]:
    ids = dict(session.execute(select(Coder.name, Coder.id).where(Coder.name.in_(coders))).all())
    if missing := [c for c in coders if c not in ids]:
        raise InvalidInput(f"No coder named {', '.join(missing)} in this project.")
    codes = [c for c in list_codes(session) if code_paths is None or c.path in code_paths]
    if code_paths and len(codes) != len(set(code_paths)):
        raise InvalidInput("Some of the codes asked for are not in the codebook.")
    spans: dict[tuple[int, int, int], list[tuple[int, int]]] = defaultdict(list)
    for document_id, coder_id, code_id, start, end in session.execute(
        select(
            Annotation.document_id,
            Annotation.coder_id,
            AnnotationCode.code_id,
            Annotation.start,
            Annotation.end,
        )
        .join(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
        .where(Annotation.deleted_at.is_(None), Annotation.coder_id.in_(ids.values()))
    ):
        spans[document_id, coder_id, code_id].append((start, end))
    documents = sorted({d for d, _, _ in spans})
    texts = dict(
        session.execute(select(Document.id, Document.text).where(Document.id.in_(documents))).all()
    )
    units = {d: sentence_units(texts[d]) for d in documents}
    rows, overall = [], [[] for _ in coders]
    for code in codes:
        labels = [
            [
                flag
                for d in documents
                for flag in coded_units(units[d], spans.get((d, ids[c], code.id), []))
            ]
            for c in coders
        ]
        for i, coder_labels in enumerate(labels):
            overall[i].extend(coder_labels)
        if labels[0]:
            rows += _rows(labels, code.path, len(documents))
    if overall[0]:
        rows += _rows(overall, "(all codes)", len(documents))
    return rows


def _rows(labels, code: str, documents: int) -> list[AgreementRow]:
    compared = f"{len(labels[0])} sentence units in {documents} article(s), coded or not"
    return [
        AgreementRow(name, code, round(value, 4), len(labels[0]), compared)
        for name, value in binary_agreement(labels).items()
    ]
