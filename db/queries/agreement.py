"""Agreement between coders: on sentence units per code, and on coded positions (statements).

A sentence counts as coded with a code by a coder when one of that coder's highlights carrying
the code overlaps it. Positions are compared on statement units (see db.logic.statement_units).
Every row says what was compared, so a reader can reproduce it; ``agreement_report`` puts the
blocks together.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.logic.agreement import binary_agreement, coded_units, krippendorff_alpha, sentence_units
from db.logic.statement_units import Placed, Unit, nominal_alpha, pairable, statement_units
from db.models import Annotation, AnnotationCode, Coder, Document, DocumentStatus, Statement
from db.queries.codes import list_codes

if TYPE_CHECKING:
    from db.logic.unitizing import UnitizingResult


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """One coefficient for one variable. ``value`` is None when the coefficient is undefined for
    these data (e.g. alpha without variation); ``compared`` then starts with "undefined:" and why.
    """

    coefficient: str
    code: str
    value: float | None
    units: int
    compared: str


def agreement_report(
    session: Session, coders: list[str], code_paths: list[str] | None = None
) -> list[AgreementRow]:
    """Every block of the agreement report, in reading order; a new block is one more line."""
    return [
        *unitizing_agreement(session, coders, code_paths),
        *sentence_agreement(session, coders, code_paths),
        *statement_agreement(session, coders),
    ]


def _coder_ids(session: Session, coders: Sequence[str]) -> dict[str, int]:
    if len(set(coders)) != len(coders) or len(coders) < 2:
        raise InvalidInput("Name two or more different coders to compare.")
    ids = dict(session.execute(select(Coder.name, Coder.id).where(Coder.name.in_(coders))).all())
    if missing := [c for c in coders if c not in ids]:
        raise InvalidInput(f"No coder named {', '.join(missing)} in this project.")
    return ids


WORKED_ON = ("in progress", "done")
Spans = dict[tuple[int, int, int], list[tuple[int, int]]]
"""(document, coder, code) → that coder's spans with that code in that document."""


def _selected_codes(session: Session, code_paths: list[str] | None) -> list:
    codes = [c for c in list_codes(session) if code_paths is None or c.path in code_paths]
    if code_paths and len(codes) != len(set(code_paths)):
        raise InvalidInput("Some of the codes asked for are not in the codebook.")
    return codes


def _coded_spans(session: Session, coder_ids: Sequence[int]) -> tuple[Spans, list[int]]:
    """The coders' tagged spans in the articles they all worked on, and those articles.

    Kept for the session's lifetime: the report's blocks share one read of a million rows.
    """
    key = ("agreement spans", tuple(coder_ids))
    if key not in session.info:
        session.info[key] = _read_coded_spans(session, coder_ids)
    return session.info[key]


def shared_documents(session: Session, coder_ids: Sequence[int]) -> tuple[list[int], int]:
    """Live articles every one of the coders worked on (a highlight, or a status of in progress
    or done), and how many others only some of them touched.

    An article one coder never opened would otherwise count as that coder seeing nothing to code.
    """
    key = ("agreement articles", tuple(coder_ids))
    if key in session.info:
        return session.info[key]
    live = Document.deleted_at.is_(None)
    touched: dict[int, set[int]] = defaultdict(set)
    for document_id, coder_id in session.execute(
        select(Annotation.document_id, Annotation.coder_id)
        .join(Document, Document.id == Annotation.document_id)
        .where(live, Annotation.deleted_at.is_(None), Annotation.coder_id.in_(coder_ids))
        .distinct()
        .union(
            select(DocumentStatus.document_id, DocumentStatus.coder_id)
            .join(Document, Document.id == DocumentStatus.document_id)
            .where(
                live,
                DocumentStatus.coder_id.in_(coder_ids),
                DocumentStatus.status.in_(WORKED_ON),
            )
        )
    ):
        touched[document_id].add(coder_id)
    everyone = set(coder_ids)
    shared = sorted(d for d, who in touched.items() if who >= everyone)
    session.info[key] = shared, len(touched) - len(shared)
    return session.info[key]


def _read_coded_spans(session: Session, coder_ids: Sequence[int]) -> tuple[Spans, list[int]]:
    documents, _ = shared_documents(session, coder_ids)
    wanted = set(documents)
    spans: Spans = defaultdict(list)
    for document_id, coder_id, code_id, start, end in session.execute(
        select(
            Annotation.document_id,
            Annotation.coder_id,
            AnnotationCode.code_id,
            Annotation.start,
            Annotation.end,
        )
        .join(AnnotationCode, AnnotationCode.annotation_id == Annotation.id)
        .where(Annotation.deleted_at.is_(None), Annotation.coder_id.in_(coder_ids))
    ):
        if document_id in wanted:
            spans[document_id, coder_id, code_id].append((start, end))
    return spans, documents


def _scope(session: Session, coder_ids: Sequence[int]) -> str:
    """Which articles a block compared, and how many it left out."""
    documents, left_out = shared_documents(session, coder_ids)
    text = f"{len(documents)} article(s) every one of these coders worked on"
    return text + (f" ({left_out} touched by only some of them left out)" if left_out else "")


def sentence_agreement(
    session: Session, coders: list[str], code_paths: list[str] | None = None
) -> list[AgreementRow]:
    """Kappa and percent agreement per code on sentence units, and over the codes used.

    A code none of the coders used in these articles gets no row and stays out of the overall
    figures: its all-empty units would only add agreement nobody produced.
    """
    ids = _coder_ids(session, coders)
    codes = _selected_codes(session, code_paths)
    spans, documents = _coded_spans(session, list(ids.values()))
    texts = dict(
        session.execute(select(Document.id, Document.text).where(Document.id.in_(documents))).all()
    )
    units = {d: sentence_units(texts[d]) for d in documents}
    scope = _scope(session, list(ids.values()))
    rows, overall = [], [[] for _ in coders]
    for code in codes:
        if not any((d, ids[c], code.id) in spans for d in documents for c in coders):
            continue
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
        rows += _rows(labels, code.path, scope)
    if overall[0]:
        rows += _rows(overall, _overall(code_paths), scope)
    return rows


def _overall(code_paths: list[str] | None) -> str:
    return "(selected codes)" if code_paths else "(all codes)"


UNITIZING = "unitizing alpha (α-u)"


def unitizing_agreement(
    session: Session, coders: list[str], code_paths: list[str] | None = None
) -> list[AgreementRow]:
    """Krippendorff's α-u on the character continuum, per code (a binary layer) and pooled.

    The continuum is every live article all the compared coders worked on, end to end.
    """
    ids = _coder_ids(session, coders)
    codes = _selected_codes(session, code_paths)
    spans, documents = _coded_spans(session, list(ids.values()))
    if not documents:
        return []
    lengths_by_id = dict(
        session.execute(
            select(Document.id, func.length(Document.text)).where(Document.id.in_(documents))
        ).all()
    )
    from db.logic.unitizing import pooled_unitizing_alpha, unitizing_alpha  # numpy: ~0.2 s

    lengths = [lengths_by_id[d] for d in documents]
    scope = _scope(session, list(ids.values()))
    rows, layers = [], []
    for code in codes:
        layer = [[spans.get((d, ids[c], code.id), []) for d in documents] for c in coders]
        if not any(any(per_doc) for per_doc in layer):
            continue
        result = unitizing_alpha(lengths, layer)
        layers.append(result)
        rows.append(_unitizing_row(result, code.path, scope))
    if layers:
        pooled = pooled_unitizing_alpha(layers)
        rows.append(_unitizing_row(pooled, _overall(code_paths), scope, pooled=True))
    return rows


def _unitizing_row(
    result: UnitizingResult, code: str, scope: str, *, pooled: bool = False
) -> AgreementRow:
    compared = (
        f"{result.length} characters of {scope}; "
        f"{result.units} coded stretch(es) (a coder's overlapping or touching spans with the "
        f"code merged); D_o {result.observed:.4f}, D_e {result.expected:.4f}"
    )
    if pooled:
        compared += "; pooled over codes as 1 − ΣD_o/ΣD_e"
    if result.alpha is None:
        compared = "undefined: no disagreement is possible (D_e = 0); " + compared
    value = None if result.alpha is None else round(result.alpha, 4)
    return AgreementRow(UNITIZING, code, value, result.units, compared)


def _rows(labels, code: str, scope: str) -> list[AgreementRow]:
    compared = f"{len(labels[0])} sentence units in {scope}, coded or not"
    uniform = len({flag for coder_labels in labels for flag in coder_labels}) == 1
    rows = []
    for name, value in binary_agreement(labels).items():
        if uniform and "kappa" in name:
            why = "undefined: every coder gave every unit the same label, so chance explains all"
            rows.append(AgreementRow(name, code, None, len(labels[0]), f"{why}; {compared}"))
        else:
            rows.append(AgreementRow(name, code, round(value, 4), len(labels[0]), compared))
    return rows


# Positions ---------------------------------------------------------------------------------
Position = tuple[int, int, int]  # actor id, issue id, stance

# The variables compared on statement units: label (the code column), value, alpha levels.
POSITION_VARIABLES: tuple[tuple[str, Callable[[Position], object], tuple[str, ...]], ...] = (
    ("position: actor", lambda p: p[0], ("nominal",)),
    ("position: issue", lambda p: p[1], ("nominal",)),
    ("position: stance", lambda p: p[2], ("ordinal", "interval")),
    ("position: actor+issue+stance", lambda p: p, ("nominal",)),
)


def statement_agreement(session: Session, coders: list[str]) -> list[AgreementRow]:
    """Krippendorff's alpha on statement units for actor, issue, stance and the whole position.

    One query for all statements of the compared coders in the articles they all worked on, none
    per article. No rows when none of them coded a statement there; an undefined alpha is a row
    with value None that says why.
    """
    ids = _coder_ids(session, coders)
    rows = session.execute(
        select(
            Annotation.document_id,
            Annotation.coder_id,
            Annotation.start,
            Annotation.end,
            Statement.actor_id,
            Statement.issue_id,
            Statement.stance,
        )
        .join(Annotation, Annotation.id == Statement.annotation_id)
        .join(Document, Document.id == Annotation.document_id)
        .where(
            Statement.deleted_at.is_(None),
            Annotation.deleted_at.is_(None),
            Document.deleted_at.is_(None),
            Annotation.coder_id.in_(ids.values()),
        )
    )
    shared = set(shared_documents(session, list(ids.values()))[0])
    statements = [
        Placed(d, c, start, end, (a, i, st)) for d, c, start, end, a, i, st in rows if d in shared
    ]
    return statement_rows(statements, [ids[c] for c in coders])


def statement_rows(statements: Sequence[Placed], coder_ids: Sequence[int]) -> list[AgreementRow]:
    """The alpha rows for already loaded statements (values: actor id, issue id, stance)."""
    if not statements:
        return []
    units = statement_units(statements, coder_ids)
    paired = pairable(units)
    articles = len({s.document for s in statements})
    compared = (
        f"{len(paired)} statement units (of {len(units)}; the others hold one coder's statement "
        f"only) in {articles} article(s): statements of different coders whose highlights "
        f"overlap are paired, largest overlap first, at most one per coder in a unit; a coder "
        f"without a statement there is missing"
    )
    rows = []
    for label, part, levels in POSITION_VARIABLES:
        values = [tuple(None if v is None else part(v) for v in unit) for unit in paired]
        for level in levels:
            value, why = _alpha(values, level)
            text = compared if why is None else f"undefined: {why}; {compared}"
            rows.append(AgreementRow(f"alpha ({level})", label, value, len(paired), text))
    return rows


def _alpha(units: list[Unit], level: str) -> tuple[float | None, str | None]:
    """Alpha rounded like the other rows, or None and the reason it is undefined."""
    if not units:
        return None, "no unit has values from two or more coders"
    if len({v for unit in units for v in unit if v is not None}) < 2:
        return None, "every pairable value is the same, so there is no variation to compare"
    if level == "nominal":  # actors and positions have many values: the sparse computation
        value = nominal_alpha(units)
    else:  # the stance scale has a handful of values: the checked package
        value = krippendorff_alpha(list(zip(*units, strict=True)), level)
    return round(value, 4), None
