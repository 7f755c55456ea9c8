"""What an operation changed, so views refresh only that (anki's OpChanges, in small)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Changes:
    documents: bool = False
    """The document list changed (rows added or removed, metadata edited)."""
    annotations_of: frozenset[int] = frozenset()
    """Documents whose annotations changed (their highlights and counts need a refresh)."""
    codebook: bool = False
    """Codes were added, renamed, recoloured or deleted."""

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.documents or other.documents,
            self.annotations_of | other.annotations_of,
            self.codebook or other.codebook,
        )
