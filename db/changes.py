"""What an operation changed, so views refresh only that (anki's OpChanges, in small)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Changes:
    documents: bool = False
    """The document list changed (rows added or removed, metadata edited)."""
    annotations_of: frozenset[int] = frozenset()
    """Documents whose annotations changed (their highlights and counts need a refresh)."""
    annotation_ids: frozenset[int] | None = None
    """With ``annotations_of``: the highlights added, changed or removed, so a view reads just
    those; None when not known (read those documents' annotations again)."""
    codebook: bool = False
    """Codes were added, renamed, recoloured or deleted, or their counts changed."""
    positions: bool = False
    """Actors, issues or statements changed."""
    code_counts: bool = False
    """Tags were added or removed: the codes' usage counts changed, nothing else about them."""
    code_deltas: tuple[tuple[int, int, int], ...] | None = None
    """With ``code_counts``: how each count moved, as (code, coder, change in live tags), so a
    view can shift its counts without reading them; None when unknown (read them again)."""
    event_id: int | None = None
    """The history entry that records this edit (the GUI puts it on the undo stack)."""
    summary: str = ""

    def with_event(self, event_id: int, summary: str) -> Changes:
        return replace(self, event_id=event_id, summary=summary)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.documents or other.documents,
            self.annotations_of | other.annotations_of,
            _joined_ids(self, other),
            self.codebook or other.codebook,
            self.positions or other.positions,
            self.code_counts or other.code_counts,
            _joined_deltas(self, other),
            other.event_id or self.event_id,
            other.summary or self.summary,
        )


def _joined_ids(*changes: Changes) -> frozenset[int] | None:
    """Both edits' changed highlights, or None when either changed some it cannot name."""
    joined: frozenset[int] = frozenset()
    for c in changes:
        if c.annotations_of:
            if c.annotation_ids is None:
                return None
            joined |= c.annotation_ids
    return joined


def _joined_deltas(*changes: Changes) -> tuple[tuple[int, int, int], ...] | None:
    """Both edits' count changes, or None when either moved counts by an unknown amount."""
    joined: list[tuple[int, int, int]] = []
    for c in changes:
        if c.code_counts:
            if c.code_deltas is None:
                return None
            joined += c.code_deltas
    return tuple(joined)
