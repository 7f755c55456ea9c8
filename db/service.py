"""The small API the GUI and the CLI call: one method per user action, one transaction each.

Methods that change data return ``Changes`` (and ids where the caller needs them), so views
refresh only what changed. Nothing here knows about Qt.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from db.changes import Changes
from db.exports.annotations_csv import write_annotations_csv
from db.ops import annotating, codebook, documents, importing, sample
from db.project import Project
from db.queries import annotations as annotation_queries
from db.queries import codes as code_queries
from db.queries import documents as document_queries
from db.records import (
    AnnotationRecord,
    CodeRecord,
    CoderRecord,
    DocumentMetadata,
    DocumentRecord,
    DocumentRow,
    ImportReport,
)


class ProjectService:
    """One open project seen through the actions a user can take on it."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @classmethod
    def open(cls, target: str | Path, *, create: bool = True) -> ProjectService:
        return cls(Project(target, create=create))

    @property
    def name(self) -> str:
        return self.project.name

    def close(self) -> None:
        self.project.close()

    # Reading -----------------------------------------------------------------------------
    def documents(self, ids: Iterable[int] | None = None) -> list[DocumentRow]:
        """The document list, or just the rows of these documents."""
        with self.project.read() as s:
            return document_queries.list_documents(s, ids)

    def document(self, document_id: int) -> DocumentRecord:
        with self.project.read() as s:
            return document_queries.get_document(s, document_id)

    def annotations(self, document_id: int) -> list[AnnotationRecord]:
        with self.project.read() as s:
            return annotation_queries.annotations_of(s, document_id)

    def codes(self) -> list[CodeRecord]:
        with self.project.read() as s:
            return code_queries.list_codes(s)

    def coders(self) -> list[CoderRecord]:
        with self.project.read() as s:
            return code_queries.list_coders(s)

    def code_usage(self, code_id: int) -> int:
        with self.project.read() as s:
            return codebook.usage(s, code_id)

    # Importing and exporting -------------------------------------------------------------
    def import_files(
        self, paths: Iterable[str | Path], progress: importing.Progress | None = None
    ) -> tuple[ImportReport, Changes]:
        with self.project.write() as s:
            return importing.import_files(s, paths, progress)

    def export_annotations_csv(
        self, target: str | Path, *, excel: bool = False, progress=None
    ) -> int:
        with self.project.engine.connect() as connection:
            return write_annotations_csv(connection, target, excel=excel, progress=progress)

    def seed_sample(self, folder: Path) -> Changes:
        """Load the sample articles and codebook into an empty project (first run); else nothing."""
        coder_id = self.ensure_coder(sample.SAMPLE_CODER)
        with self.project.write() as s:
            return sample.seed(s, folder, coder_id) if sample.is_empty(s) else Changes()

    # Coding ------------------------------------------------------------------------------
    def ensure_coder(self, name: str) -> int:
        return self.project.ensure_coder(name)

    def annotate(
        self, document_id: int, coder_id: int, start: int, end: int, code_ids: Iterable[int]
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return annotating.annotate(s, document_id, coder_id, start, end, code_ids)

    def set_codes(
        self, annotation_id: int, add: Iterable[int] = (), remove: Iterable[int] = ()
    ) -> Changes:
        with self.project.write() as s:
            return annotating.set_codes(s, annotation_id, add, remove)

    def set_memo(self, annotation_id: int, memo: str) -> Changes:
        with self.project.write() as s:
            return annotating.set_memo(s, annotation_id, memo)

    def delete_annotation(self, annotation_id: int) -> Changes:
        with self.project.write() as s:
            return annotating.delete_annotation(s, annotation_id)

    def update_metadata(self, document_id: int, meta: DocumentMetadata) -> Changes:
        with self.project.write() as s:
            return documents.update_metadata(s, document_id, meta)

    # Codebook ----------------------------------------------------------------------------
    def create_code(
        self, name: str, color: str | None = None, parent_id: int | None = None
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return codebook.create_code(s, name, color, parent_id)

    def rename_code(self, code_id: int, name: str) -> Changes:
        with self.project.write() as s:
            return codebook.rename_code(s, code_id, name)

    def recolor_code(self, code_id: int, color: str) -> Changes:
        with self.project.write() as s:
            return codebook.recolor_code(s, code_id, color)

    def delete_code(self, code_id: int) -> Changes:
        with self.project.write() as s:
            return codebook.delete_code(s, code_id)
