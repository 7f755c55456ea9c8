"""The small API the GUI and the CLI call: one method per user action, one transaction each.

Edits return ``Changes`` (carrying the history entry that undoes them) and ids where the caller
needs them, so views refresh only what changed. ``coder_id`` is who is acting: every edit is
recorded in the event log under that coder. Nothing here knows about Qt.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from db.changes import Changes
from db.errors import InvalidInput
from db.exchange import refi_export, refi_import
from db.exchange.refi_export import RefiExportSummary
from db.exchange.refi_import import RefiImportReport
from db.exports.annotations_csv import write_annotations_csv
from db.exports.positions_csv import write_positions_csv
from db.exports.web_annotation import write_web_annotations
from db.logic.comparison import Target
from db.logic.stance import StanceLevel
from db.logic.text import TextRejected
from db.migrate import copy_sqlite
from db.ops import (
    adjudication,
    annotating,
    autocode,
    codebook,
    documents,
    history,
    import_annotations,
    importing,
    positions,
    sample,
)
from db.ops import merge as merge_ops
from db.ops.import_annotations import AnnotationImportReport
from db.ops.merge import MergeReport
from db.paths import is_network_path
from db.project import Project
from db.queries import agreement as agreement_queries
from db.queries import annotations as annotation_queries
from db.queries import codes as code_queries
from db.queries import comparison as comparison_queries
from db.queries import documents as document_queries
from db.queries import positions as position_queries
from db.queries import search as search_queries
from db.queries.comparison import Comparison, DisagreementCount
from db.queries.positions import StatementFilter
from db.readers import tables
from db.readers.tables import Table, TableMapping
from db.records import (
    ActorRecord,
    AnnotationRecord,
    CodeRecord,
    CoderRecord,
    DocumentMetadata,
    DocumentRecord,
    DocumentRow,
    ImportReport,
    IssueRecord,
    StatementRecord,
)
from db.summaries import brief
from db.summaries import networks as network_export
from db.summaries import tables as summary_tables
from db.summaries.agreement_report import write_agreement
from db.watch import ChangeWatcher

Progress = Callable[[int, int], None]


@contextmanager
def writing_to(target: str | Path) -> Iterator[None]:
    """File-system failures of an export, as a message for the user (nothing was written)."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidInput(
            f"Cannot write {Path(target).name}: {reason} ({Path(target).parent})."
        ) from exc


class ProjectService:
    """One open project seen through the actions a user can take on it."""

    def __init__(self, project: Project, coder_id: int | None = None) -> None:
        self.project = project
        self.coder_id = coder_id

    @classmethod
    def open(cls, target: str | Path, *, create: bool = True) -> ProjectService:
        return cls(Project(target, create=create))

    @property
    def name(self) -> str:
        return self.project.name

    def close(self) -> None:
        self.project.close()

    def backup(self, target: str | Path) -> Path:
        """A consistent copy of a SQLite project (online backup API: safe while others write)."""
        if self.project.path is None:
            raise InvalidInput("Server projects are backed up on the server (e.g. with pg_dump).")
        target = Path(target)
        if target.resolve() == self.project.path.resolve():
            raise InvalidInput("Choose another file than the project itself for the backup.")
        try:
            return copy_sqlite(self.project.path, target)
        except (OSError, sqlite3.Error) as exc:
            raise InvalidInput(f"The backup could not be written: {exc}") from exc

    def agreement(
        self, coders: list[str], code_paths: list[str] | None = None
    ) -> list[agreement_queries.AgreementRow]:
        """The agreement report: α-u, sentence kappas, position alphas (db.queries.agreement)."""
        with self.project.read() as s:
            return agreement_queries.agreement_report(s, coders, code_paths)

    def export_agreement(
        self,
        target: str | Path,
        rows: list[agreement_queries.AgreementRow],
        coders: list[str],
        codes: list[str] | None = None,
    ) -> int:
        """Write computed agreement rows as .csv or .html (chosen by the file name); ``codes``
        are the code paths the rows were restricted to (None: every code)."""
        with writing_to(target):
            return write_agreement(rows, target, self.name, coders, codes=codes)

    # Comparison and adjudication -------------------------------------------------------
    def gold_coder(self) -> int | None:
        """The gold layer's coder id, if adjudication has begun."""
        with self.project.read() as s:
            return comparison_queries.gold_coder_id(s)

    def compare(self, document_id: int, coder_ids: Sequence[int]) -> Comparison:
        """The coders' passages in one article, and what gold holds there."""
        with self.project.read() as s:
            gold = comparison_queries.gold_coder_id(s)
            return comparison_queries.compare(s, document_id, coder_ids, gold)

    def disagreement_counts(self, coder_ids: Sequence[int]) -> list[DisagreementCount]:
        with self.project.read() as s:
            gold = comparison_queries.gold_coder_id(s)
            return comparison_queries.disagreement_counts(s, coder_ids, gold)

    def next_open_document(
        self, coder_ids: Sequence[int], after: int | None, step: int = 1
    ) -> int | None:
        """The next article (wrapping around) where these coders still disagree, or None."""
        with self.project.read() as s:
            gold = comparison_queries.gold_coder_id(s)
            return comparison_queries.next_open_document(s, coder_ids, gold, after, step)

    def accept_coding(self, target: Target, from_coders: Sequence[int]) -> Changes:
        """Gold takes these coders' spans with the passage's code (accept A, B, or both)."""
        with self.project.write() as s:
            return adjudication.accept(s, self._coder(), target, from_coders)

    def settle_passage(self, target: Target, items: Iterable[adjudication.Item]) -> Changes:
        """Gold's marking of the passage becomes the adjudicator's own edit."""
        with self.project.write() as s:
            return adjudication.settle(s, self._coder(), target, items)

    def accept_agreed(
        self, coder_ids: Sequence[int], progress: Progress | None = None
    ) -> tuple[int, Changes]:
        """Copy every passage the coders agree on into gold (where gold has nothing yet)."""
        with self.project.write() as s:
            return adjudication.accept_agreed(s, self._coder(), coder_ids, progress=progress)

    def merge_from(self, source: str | Path) -> tuple[MergeReport, Changes]:
        """Fold another project (a coder's copy) into this one; idempotent, conflicts reported."""
        other = Project(source, create=False)
        try:
            with other.read() as theirs, self.project.write() as ours:
                return merge_ops.merge(ours, theirs, self.coder_id, Path(str(source)).name)
        finally:
            other.close()

    def export_copy(self, target: str | Path) -> MergeReport:
        """A new SQLite project holding everything in this one: a coder's offline copy."""
        target = Path(target)
        if target.exists():
            raise InvalidInput(f"{target.name} exists already; choose a new file for the copy.")
        copy = Project(target)
        try:
            with self.project.read() as ours, copy.write() as theirs:
                report, _ = merge_ops.merge(theirs, ours, None, f"copy of {self.name}")
                return report
        finally:
            copy.close()

    @property
    def on_network_share(self) -> bool:
        return self.project.path is not None and is_network_path(self.project.path)

    def watcher(self) -> ChangeWatcher:
        """Polls for changes made by other programs and coders (see db.watch)."""
        return ChangeWatcher(self.project, self.coder_id)

    def use_coder(self, name: str) -> int:
        """Act as this coder from now on (created on first use); returns the coder's id."""
        self.coder_id = self.project.ensure_coder(name)
        return self.coder_id

    def ensure_coder(self, name: str) -> int:
        return self.project.ensure_coder(name)

    # Reading -----------------------------------------------------------------------------
    def snapshot(self) -> AbstractContextManager[None]:
        """Several reads through one session: see ``Project.snapshot`` (a window refresh)."""
        return self.project.snapshot()

    def documents(self, ids: Iterable[int] | None = None) -> list[DocumentRow]:
        """The document list, or just the rows of these documents."""
        with self.project.read() as s:
            return document_queries.list_documents(s, self.coder_id, ids)

    def document(self, document_id: int) -> DocumentRecord:
        with self.project.read() as s:
            return document_queries.get_document(s, document_id)

    def documents_with_code(self, code_id: int) -> set[int]:
        with self.project.read() as s:
            return document_queries.documents_with_code(s, code_id)

    def outlets(self) -> list[str]:
        with self.project.read() as s:
            return document_queries.outlets(s)

    def annotations(
        self, document_id: int, only: Collection[int] | None = None
    ) -> list[AnnotationRecord]:
        """The article's live highlights; ``only``: just these (``Changes.annotation_ids``)."""
        with self.project.read() as s:
            return annotation_queries.annotations_of(s, document_id, only)

    def codes(self) -> list[CodeRecord]:
        with self.project.read() as s:
            return code_queries.list_codes(s, self.coder_id)

    def coders(self) -> list[CoderRecord]:
        with self.project.read() as s:
            return code_queries.list_coders(s)

    def code_usage(self, code_id: int) -> int:
        with self.project.read() as s:
            return codebook.usage(s, code_id)

    def search(self, query: str, limit: int | None = 2000) -> list[search_queries.Hit]:
        with self.project.read() as s:
            return search_queries.search(s, query, limit)

    def reading_position(self, document_id: int) -> int:
        with self.project.read() as s:
            return documents.reading_position(s, document_id, self._coder())

    def history(self, limit: int = 500) -> tuple[list[history.HistoryEntry], int]:
        """This coder's undo stack from the event log, and how many entries are applied."""
        with self.project.read() as s:
            return history.stack(s, self._coder(), limit)

    # Importing and exporting -------------------------------------------------------------
    def import_files(
        self,
        paths: Iterable[str | Path],
        progress: Progress | None = None,
        mappings: Mapping[Path, TableMapping] | None = None,
    ) -> tuple[ImportReport, Changes]:
        """Articles from files and folders; a table (.csv, .xlsx) gives one per row, with its
        columns as ``mappings[path]`` says (else as guessed from its header)."""
        with self.project.write() as s:
            return importing.import_files(s, paths, progress, mappings)

    @staticmethod
    def read_table(path: str | Path) -> tuple[Table, TableMapping]:
        """A table's columns and rows, and the guessed mapping, for the user to check before
        importing it; InvalidInput says why it cannot be read."""
        try:
            table = tables.read_table(Path(path))
        except TextRejected as exc:
            raise InvalidInput(f"{Path(path).name}: {exc}") from exc
        return table, tables.full_guess(table)

    def export_annotations_csv(
        self,
        target: str | Path,
        *,
        excel: bool = False,
        progress=None,
        coders: Iterable[str] | None = None,
    ) -> int:
        """One row per highlight × code; ``coders`` narrows to these (e.g. ["gold"])."""
        with writing_to(target), self.project.read() as s:
            return write_annotations_csv(
                s.connection(), target, excel=excel, progress=progress, coders=coders
            )

    def export_web_annotations(
        self, target: str | Path, coders: Iterable[str] | None = None
    ) -> int:
        """W3C Web Annotation JSON-LD of every highlight (or these coders')."""
        with writing_to(target), self.project.read() as s:
            return write_web_annotations(s, target, coders, f"Marginalia — {self.name}")

    def seed_sample(self, folder: Path) -> Changes:
        """Load the sample articles and codebook into an empty project (first run); else nothing."""
        coder_id = self.ensure_coder(sample.SAMPLE_CODER)
        with self.project.write() as s:
            return sample.seed(s, folder, coder_id) if sample.is_empty(s) else Changes()

    # Coding ------------------------------------------------------------------------------
    def annotate(
        self,
        document_id: int,
        coder_id: int | None,
        start: int,
        end: int,
        code_ids: Iterable[int],
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return annotating.annotate(
                s, document_id, coder_id or self._coder(), start, end, code_ids
            )

    def autocode(
        self, code_id: int, hits: Iterable[tuple[int, int, int]], progress: Progress | None = None
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return autocode.autocode(s, self._coder(), code_id, hits, progress)

    def set_codes(
        self, annotation_id: int, add: Iterable[int] = (), remove: Iterable[int] = ()
    ) -> Changes:
        with self.project.write() as s:
            return annotating.set_codes(s, self.coder_id, annotation_id, add, remove)

    def set_memo(self, annotation_id: int, memo: str) -> Changes:
        with self.project.write() as s:
            return annotating.set_memo(s, self.coder_id, annotation_id, memo)

    def delete_annotation(self, annotation_id: int) -> Changes:
        with self.project.write() as s:
            return annotating.delete_annotation(s, self.coder_id, annotation_id)

    # Documents ---------------------------------------------------------------------------
    def update_metadata(
        self, document_id: int, meta: DocumentMetadata, expected_version: int | None = None
    ) -> Changes:
        with self.project.write() as s:
            return documents.update_metadata(
                s, document_id, meta, coder_id=self.coder_id, expected_version=expected_version
            )

    def set_document_memo(
        self, document_id: int, memo: str, expected_version: int | None = None
    ) -> Changes:
        """``expected_version``: the version the user edited; another one is a Conflict."""
        with self.project.write() as s:
            return documents.set_document_memo(
                s, document_id, memo, coder_id=self.coder_id, expected_version=expected_version
            )

    def delete_documents(self, document_ids: Iterable[int]) -> Changes:
        with self.project.write() as s:
            return documents.delete_documents(s, document_ids, coder_id=self.coder_id)

    def set_status(self, document_id: int, status: str) -> Changes:
        with self.project.write() as s:
            return documents.set_status(s, document_id, self._coder(), status=status)

    def save_reading_position(self, document_id: int, position: int) -> Changes:
        with self.project.write() as s:
            return documents.set_status(s, document_id, self._coder(), position=position)

    # Codebook ----------------------------------------------------------------------------
    def create_code(
        self,
        name: str,
        color: str | None = None,
        parent_id: int | None = None,
        description: str = "",
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return codebook.create_code(
                s, name, color, parent_id, description, coder_id=self.coder_id
            )

    def rename_code(self, code_id: int, name: str, expected_version: int | None = None) -> Changes:
        return self._codebook(
            codebook.rename_code, code_id, name, expected_version=expected_version
        )

    def recolor_code(
        self, code_id: int, color: str, expected_version: int | None = None
    ) -> Changes:
        return self._codebook(
            codebook.recolor_code, code_id, color, expected_version=expected_version
        )

    def describe_code(
        self, code_id: int, description: str, expected_version: int | None = None
    ) -> Changes:
        return self._codebook(
            codebook.describe_code, code_id, description, expected_version=expected_version
        )

    def set_shortcut(self, code_id: int, key: int | None) -> Changes:
        return self._codebook(codebook.set_shortcut, code_id, key)

    def set_archived(self, code_id: int, archived: bool) -> Changes:
        return self._codebook(codebook.set_archived, code_id, archived)

    def move_code(
        self, code_id: int, parent_id: int | None, position: int | None = None
    ) -> Changes:
        return self._codebook(codebook.move_code, code_id, parent_id, position)

    def merge_codes(self, source_id: int, target_id: int) -> Changes:
        return self._codebook(codebook.merge_codes, source_id, target_id)

    def delete_code(self, code_id: int) -> Changes:
        return self._codebook(codebook.delete_code, code_id)

    def _codebook(self, op, *args, **fields) -> Changes:
        """Run an edit that records ``coder_id`` as who made it."""
        with self.project.write() as s:
            return op(s, *args, coder_id=self.coder_id, **fields)

    # Positions ---------------------------------------------------------------------------
    def actors(self, with_counts: bool = True) -> list[ActorRecord]:
        with self.project.read() as s:
            return position_queries.list_actors(s, with_counts)

    def issues(self, with_counts: bool = True) -> list[IssueRecord]:
        with self.project.read() as s:
            return position_queries.list_issues(s, with_counts)

    def statements(
        self, criteria: StatementFilter | None = None, offset: int = 0, limit: int | None = None
    ) -> list[StatementRecord]:
        with self.project.read() as s:
            return position_queries.list_statements(s, criteria, offset=offset, limit=limit)

    def statement_count(self, criteria: StatementFilter | None = None) -> int:
        with self.project.read() as s:
            return position_queries.count_statements(s, criteria)

    def stance_scale(self) -> tuple[StanceLevel, ...]:
        with self.project.read() as s:
            return positions.stance_scale(s)

    def set_stance_scale(self, levels: Iterable[StanceLevel]) -> Changes:
        with self.project.write() as s:
            return positions.set_stance_scale(s, levels)

    def create_actor(
        self,
        name: str,
        kind: str = "person",
        parent_id: int | None = None,
        aliases: Iterable[str] = (),
        color: str = "#4e79a7",
        notes: str = "",
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return positions.create_actor(
                s, name, kind, parent_id, aliases, color, notes, coder_id=self.coder_id
            )

    def update_actor(self, actor_id: int, **fields) -> Changes:
        return self._codebook(positions.update_actor, actor_id, **fields)

    def delete_actor(self, actor_id: int) -> Changes:
        return self._codebook(positions.delete_actor, actor_id)

    def create_issue(
        self, name: str, parent_id: int | None = None, description: str = ""
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return positions.create_issue(s, name, parent_id, description, coder_id=self.coder_id)

    def update_issue(self, issue_id: int, **fields) -> Changes:
        return self._codebook(positions.update_issue, issue_id, **fields)

    def delete_issue(self, issue_id: int) -> Changes:
        return self._codebook(positions.delete_issue, issue_id)

    def code_statement(
        self,
        document_id: int,
        start: int,
        end: int,
        actor_id: int,
        issue_id: int,
        stance: int | str,
        source: str = "",
        certainty: float | None = None,
    ) -> tuple[int, Changes]:
        with self.project.write() as s:
            return positions.code_statement(
                s,
                self._coder(),
                document_id,
                start,
                end,
                actor_id,
                issue_id,
                stance,
                source,
                certainty,
            )

    def code_position(
        self,
        document_id: int,
        start: int,
        end: int,
        actor: str,
        issue: str,
        stance: int | str,
        source: str = "",
        certainty: float | None = None,
    ) -> tuple[int, Changes]:
        """A position from names as typed (new actors and issues join the same undo step)."""
        with self.project.write() as s:
            return positions.code_position(
                s, self._coder(), document_id, start, end, actor, issue, stance, source, certainty
            )

    def update_position(
        self,
        statement_id: int,
        actor: str,
        issue: str,
        stance: int | str,
        source: str = "",
        certainty: float | None = None,
    ) -> Changes:
        with self.project.write() as s:
            return positions.update_position(
                s, self.coder_id, statement_id, actor, issue, stance, source, certainty
            )

    def update_statement(self, statement_id: int, **fields) -> Changes:
        return self._codebook(positions.update_statement, statement_id, **fields)

    def delete_statement(self, statement_id: int) -> Changes:
        return self._codebook(positions.delete_statement, statement_id)

    def export_positions_csv(
        self, target: str | Path, criteria: StatementFilter | None = None, *, excel: bool = False
    ) -> int:
        with writing_to(target), self.project.read() as s:
            return write_positions_csv(s, target, criteria, excel=excel)

    def export_summary(
        self, target: str | Path, criteria: StatementFilter | None = None
    ) -> list[Path]:
        """The summary tables as an .xlsx workbook, or CSV files in a folder."""
        with writing_to(target), self.project.read() as s:
            return summary_tables.write_summary(summary_tables.summary_tables(s, criteria), target)

    def export_brief(self, target: str | Path, criteria: StatementFilter | None = None) -> int:
        with writing_to(target), self.project.read() as s:
            return brief.write_brief(s, target, criteria, f"Issue brief — {self.name}")

    def export_network(
        self, target: str | Path, kind: str, criteria: StatementFilter | None = None, **options
    ) -> int:
        """``options``: stance, dedupe, binary, normalise (see db.logic.networks)."""
        with self.project.read() as s:
            try:
                edges = network_export.network_edges(s, kind, criteria, **options)
            except ValueError as exc:
                raise InvalidInput(str(exc)) from exc
        with writing_to(target):
            return network_export.write_network(edges, kind, target)

    def import_annotations(self, path: str | Path) -> tuple[AnnotationImportReport, Changes]:
        """JSON Lines of annotations and statements, as this coder unless a line names one."""
        path = Path(path)
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"Cannot read {path.name}: {exc}") from exc
        with self.project.write() as s:
            return import_annotations.import_annotations(s, lines, self._coder(), path.name)

    # History -----------------------------------------------------------------------------
    def undo(self, event_id: int) -> Changes:
        with self.project.write() as s:
            return history.undo(s, self.coder_id, event_id)

    def redo(self, event_id: int) -> Changes:
        with self.project.write() as s:
            return history.redo(s, self.coder_id, event_id)

    def history_weight(self, event_id: int) -> int:
        """The size of an edit's recorded states: big ones are undone in the background."""
        with self.project.read() as s:
            return history.weight(s, event_id)

    def _coder(self) -> int:
        if self.coder_id is None:
            raise RuntimeError("ProjectService.use_coder() must be called before this action.")
        return self.coder_id

    # REFI-QDA exchange ---------------------------------------------------------------------
    def export_qdpx(
        self, target: str | Path, progress: Progress | None = None
    ) -> RefiExportSummary:
        """The whole project as a REFI-QDA .qdpx archive (see db.exchange.refi_export)."""
        with writing_to(target), self.project.read() as s:
            return refi_export.write_qdpx(
                s, target, self.name, creating_coder_id=self.coder_id, progress=progress
            )

    def export_qdc(self, target: str | Path) -> int:
        """The codebook as a REFI-QDA .qdc file; returns the number of codes written."""
        with writing_to(target), self.project.read() as s:
            return refi_export.write_qdc(s, target)

    def import_qdpx(
        self, path: str | Path, progress: Progress | None = None
    ) -> tuple[RefiImportReport, Changes]:
        """A .qdpx project into this one, merged by GUID, in one transaction (nothing on error).

        Selections that name no user of the file become this coder's (or "REFI-QDA import"'s).
        Not an undoable edit, like importing articles: 500,000 highlights do not fit one entry.
        """
        with self.project.write() as s:
            return refi_import.import_qdpx(s, path, self.coder_id, progress)

    def import_qdc(self, path: str | Path) -> tuple[RefiImportReport, Changes]:
        """A .qdc codebook into this project's codebook (codes with the same name are kept)."""
        with self.project.write() as s:
            return refi_import.import_qdc(s, path, self.coder_id)
