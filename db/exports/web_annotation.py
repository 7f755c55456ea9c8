"""Annotations as W3C Web Annotations (JSON-LD): one AnnotationCollection, streamed to disk.

Each highlight becomes an ``Annotation`` whose target is the article (``urn:uuid:`` of the
document) with two selectors: a ``TextQuoteSelector`` (exact, prefix, suffix) that survives
edits elsewhere in the text, and a ``TextPositionSelector``. The Web Annotation model leaves
"character" undefined; ours are Unicode code points of the NFC text, end exclusive — said in the
file as ``marginalia:positionUnit``. Codes are ``tagging`` bodies (their code path), a memo is a
``commenting`` body, and positions are ``classifying`` bodies ("Actor — stance — Issue").
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.exports.atomic import atomic_path
from db.models import Annotation, AnnotationCode, Code, Coder, Document
from db.queries.codes import code_paths
from db.queries.positions import StatementFilter, list_statements

CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"marginalia": "https://marginalia.app/ns#"}]
BATCH = 2000


def write_web_annotations(
    session: Session, target: str | Path, coders: Iterable[str] | None = None, title: str = ""
) -> int:
    """Write the collection atomically; returns the number of annotations."""
    count = 0
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8") as out:
        head = {
            "@context": CONTEXT,
            "type": "AnnotationCollection",
            "label": title or "Marginalia annotations",
            "marginalia:positionUnit": "unicode code points of NFC text, end exclusive",
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1])
        out.write(', "first": {"type": "AnnotationPage", "items": [\n')
        for item in annotations(session, coders):
            out.write(",\n" if count else "")
            out.write(json.dumps(item, ensure_ascii=False))
            count += 1
        out.write(f'\n]}}, "total": {count}}}\n')
    return count


def annotations(session: Session, coders: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    """The Web Annotation objects, in article and text order; batched queries throughout."""
    paths = code_paths(list(session.execute(select(Code.id, Code.name, Code.parent_id))))
    wanted = None if coders is None else frozenset(coders)
    positions = _positions(session, wanted)
    query = (
        select(
            Annotation.id,
            Annotation.uuid,
            Document.uuid,
            Document.title,
            Coder.name,
            Annotation.start,
            Annotation.end,
            Annotation.quote,
            Annotation.prefix,
            Annotation.suffix,
            Annotation.memo,
            Annotation.created_at,
            Annotation.modified_at,
        )
        .join(Document, Document.id == Annotation.document_id)
        .join(Coder, Coder.id == Annotation.coder_id)
        .where(Annotation.deleted_at.is_(None), Document.deleted_at.is_(None))
        .order_by(Document.id, Annotation.start, Annotation.id)
    )
    if wanted is not None:
        query = query.where(Coder.name.in_(wanted))
    streamed = session.execute(query, execution_options={"yield_per": BATCH})
    for batch in streamed.partitions():
        tags: dict[int, list[int]] = defaultdict(list)
        for annotation_id, code_id in session.execute(
            select(AnnotationCode.annotation_id, AnnotationCode.code_id)
            .where(AnnotationCode.annotation_id.in_([r[0] for r in batch]))
            .order_by(AnnotationCode.created_at, AnnotationCode.code_id)
        ):
            tags[annotation_id].append(code_id)
        for r in batch:
            yield _annotation(r, [paths[c] for c in tags.get(r[0], []) if c in paths], positions)


def _annotation(row, codes: list[str], positions: dict[int, list[str]]) -> dict[str, Any]:
    aid, uuid, doc_uuid, title, coder, start, end, exact, prefix, suffix, memo, made, changed = row
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": code} for code in codes
    ]
    bodies += [
        {"type": "TextualBody", "purpose": "classifying", "value": position}
        for position in positions.get(aid, [])
    ]
    if memo:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": memo})
    item: dict[str, Any] = {
        "id": f"urn:uuid:{uuid}",
        "type": "Annotation",
        "motivation": "tagging" if codes else "highlighting",
        "creator": {"type": "Person", "name": coder},
        "created": _iso(made),
        "modified": _iso(changed),
        "target": {
            "source": f"urn:uuid:{doc_uuid}",
            "marginalia:title": title,
            "selector": [
                {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }
    if bodies:
        item["body"] = bodies
    return item


def _positions(session: Session, coders: frozenset[str] | None) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for s in list_statements(session, StatementFilter(coders=coders)):
        found[s.annotation_id].append(f"{s.actor} — {s.stance_label} — {s.issue}")
    return found


def _iso(moment) -> str | None:
    if moment is None:
        return None
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if "+" in text else text + "Z"
