"""Auto-code: apply a code to search hits, all in one undoable history entry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from db.changes import Changes
from db.ops.annotating import code_names, tag_spans_many
from db.ops.history import Recorder

BATCH_DOCUMENTS = 500
"""Documents per bulk step: big enough for bulk SQL, small enough for progress and cancel."""


def autocode(
    session: Session,
    coder_id: int,
    code_id: int,
    hits: Iterable[tuple[int, int, int]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, Changes]:
    """Tag every (document_id, start, end) with the code; returns how many spans were tagged."""
    (name,) = code_names(session, [code_id])
    by_document: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for document_id, start, end in hits:
        by_document[document_id].append((start, end))
    total = sum(len(spans) for spans in by_document.values())
    recorder = Recorder(session, coder_id, "autocode", f"Auto-code {total} passage(s) with {name}")
    done, documents = 0, list(by_document)
    for offset in range(0, len(documents), BATCH_DOCUMENTS):
        batch = {d: by_document[d] for d in documents[offset : offset + BATCH_DOCUMENTS]}
        tag_spans_many(session, recorder, coder_id, batch, [code_id])
        done += sum(len(spans) for spans in batch.values())
        if progress:
            progress(done, total)
    return total, recorder.finish()
