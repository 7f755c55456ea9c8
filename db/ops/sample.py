"""Fill a new project with our own sample articles, a starter codebook and a few highlights.

The sample lives in ``resources/samples`` (found by the caller; the core does not know where
resources are installed). It shows a first-time user what a coded article looks like.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.changes import Changes
from db.models import Code, Document
from db.ops import annotating, codebook, importing, positions

SAMPLE_CODER = "Marginalia sample"


def is_empty(session: Session) -> bool:
    has_document = session.scalar(select(Document.id).limit(1)) is not None
    return not has_document and session.scalar(select(Code.id).limit(1)) is None


def seed(session: Session, folder: Path, coder_id: int) -> Changes:
    """Import the sample articles, create the starter codebook and the sample highlights."""
    spec = json.loads((folder / "codebook.json").read_text(encoding="utf-8"))
    code_ids = {}
    for entry in spec["codes"]:
        code_ids[entry["name"]], _ = codebook.create_code(
            session, entry["name"], entry.get("color"), description=entry.get("description", "")
        )
    importing.import_files(session, [folder / "articles"])
    documents = dict(session.execute(select(Document.source_name, Document.id)).all())
    for item in spec.get("annotations", []):
        document_id, start, end = _locate(session, documents, item)
        codes = [code_ids[name] for name in item["codes"]]
        annotating.annotate(session, document_id, coder_id, start, end, codes)
    actor_ids: dict[str, int] = {}
    for entry in spec.get("actors", []):
        actor_ids[entry["name"]], _ = positions.create_actor(
            session,
            entry["name"],
            entry["kind"],
            actor_ids.get(entry.get("parent", "")),
            entry.get("aliases", []),
        )
    issue_ids = {
        entry["name"]: positions.create_issue(session, entry["name"], None, entry["description"])[0]
        for entry in spec.get("issues", [])
    }
    for item in spec.get("statements", []):
        document_id, start, end = _locate(session, documents, item)
        positions.code_statement(
            session,
            coder_id,
            document_id,
            start,
            end,
            actor_ids[item["actor"]],
            issue_ids[item["issue"]],
            item["stance"],
            item.get("source", ""),
        )
    return Changes(
        documents=True, codebook=True, positions=True, annotations_of=frozenset(documents.values())
    )


def _locate(session: Session, documents: dict[str, int], item: dict) -> tuple[int, int, int]:
    document_id = documents[item["article"]]
    text = session.scalar(select(Document.text).where(Document.id == document_id)) or ""
    start = text.index(item["quote"])
    return document_id, start, start + len(item["quote"])
