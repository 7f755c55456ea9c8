"""What a REFI-QDA import did, in numbers and in words the user can act on."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RefiImportReport:
    """Counts of what an import added, found already there, corrected and skipped."""

    documents: int = 0
    known_documents: int = 0
    coders: int = 0
    codes: int = 0
    known_codes: int = 0
    annotations: int = 0
    codings: int = 0
    statements: int = 0
    actors: int = 0
    issues: int = 0
    known_rows: int = 0
    """Selections and statements whose GUID the project has already: left as they were."""
    offsets_corrected: int = 0
    notes: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [
            f"Imported {self.documents} article(s), {self.codes} code(s), "
            f"{self.annotations} highlight(s) with {self.codings} coding(s), "
            f"{self.statements} statement(s)"
        ]
        if self.known_documents or self.known_codes or self.known_rows:
            parts.append(
                f"already in the project: {self.known_documents} article(s), "
                f"{self.known_codes} code(s), {self.known_rows} highlight(s)/statement(s)"
            )
        if self.offsets_corrected:
            parts.append(f"{self.offsets_corrected} selection position(s) corrected")
        if self.skipped:
            parts.append(f"{sum(self.skipped.values())} item(s) skipped")
        return "; ".join(parts) + "."

    def details(self) -> str:
        lines = [_counted(reason, n) for reason, n in self.notes.items()]
        lines += [_counted(f"Skipped: {reason}", n) for reason, n in self.skipped.items()]
        return "\n".join(lines)


def _counted(line: str, n: int) -> str:
    return f"{line} ({n}×)" if n > 1 else line
