"""The headless command line: ``marginalia import|export …`` without Qt or a display."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from db import server
from db.errors import InvalidInput, MarginaliaError
from db.logic.networks import NORMALISATIONS
from db.paths import os_user_name
from db.queries.positions import StatementFilter
from db.readers.registry import is_table
from db.readers.tables import FIELDS, TableMapping
from db.service import ProjectService
from db.summaries.agreement_report import HEADER, codes_line, format_value, report_format
from db.summaries.networks import KINDS

COMMANDS = ("import", "import-annotations", "export", "merge", "server", "agreement")
EXCHANGE_SUFFIXES = (".qdpx", ".qdc")
COLUMN_OPTIONS = {
    "text": "--text-column",
    "title": "--title-column",
    "published": "--date-column",
    "outlet": "--outlet-column",
    "author": "--author-column",
    "url": "--url-column",
}


def project(value: str) -> Path | str:
    """A project argument: a file path, or a server URL kept as written (``Path`` would fold
    ``postgresql+psycopg://…`` into ``postgresql+psycopg:/…``)."""
    return value if "://" in value else Path(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marginalia", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser(
        "import",
        help="import articles (files or folders), tables of articles, or REFI-QDA files",
        description="Articles: .txt .md .html .docx .pdf .odt, files or folders. Tables "
        "(.csv, .xlsx; named, not in folders): one article per row, the columns guessed from "
        "the header unless the options below say otherwise. A .qdpx file imports a whole "
        "REFI-QDA project (articles, codes, highlights, positions), a .qdc file a codebook; "
        "each in its own transaction, before the articles.",
    )
    imp.add_argument(
        "project", type=project, help="project file (created if missing) or server URL"
    )
    imp.add_argument("paths", nargs="+", type=Path, help="files or folders")
    columns = imp.add_argument_group(
        "table columns", 'which column holds what (a header name; "" for none)'
    )
    for field, flag in COLUMN_OPTIONS.items():
        columns.add_argument(flag, dest=f"column_{field}", metavar="NAME")

    ann_in = sub.add_parser(
        "import-annotations", help="import annotations and statements from JSON Lines"
    )
    ann_in.add_argument("project", type=project)
    ann_in.add_argument("file", type=Path, help="one JSON object per line")
    ann_in.add_argument("--coder", default=None, help="coder for lines that name none")

    mrg = sub.add_parser("merge", help="merge coders' copies into a master project (by UUID)")
    mrg.add_argument("master", help="master project file (or server URL)")
    mrg.add_argument("copies", nargs="+", help="project files to merge in")

    agr = sub.add_parser(
        "agreement",
        help="inter-coder agreement: kappa on sentence units, Krippendorff's alpha on positions",
    )
    agr.add_argument("project")
    agr.add_argument("--coders", required=True, help="comma-separated coder names (2 or more)")
    agr.add_argument(
        "--code",
        action="append",
        help="compare only this code path (repeatable): its α-u and sentence rows, and overall "
        "rows for the selected codes only; position rows do not depend on codes",
    )
    agr.add_argument(
        "-o", "--output", type=Path, help="also write the report: F.csv (table) or F.html (page)"
    )

    srv = sub.add_parser("server", help="set up a PostgreSQL team server")
    srv_sub = srv.add_subparsers(dest="action", required=True)
    srv_init = srv_sub.add_parser("init", help="schema, roles, grants and row-level security")
    srv_init.add_argument("url", help="postgresql+psycopg://admin@host/db")
    srv_add = srv_sub.add_parser("add-coder", help="a login role and coder row")
    srv_add.add_argument("url")
    srv_add.add_argument("name", help="the coder's database user name")
    srv_add.add_argument("--role", choices=("owner", "coder", "reader"), default="coder")
    srv_add.add_argument("--password", help="asked for when not given")

    exp = sub.add_parser("export", help="export data from a project")
    what = exp.add_subparsers(dest="what", required=True)
    ann = what.add_parser("annotations", help="annotations as CSV (one row per annotation × code)")
    ann.add_argument("project", type=project)
    ann.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    ann.add_argument("--excel", action="store_true", help="add a BOM so Excel reads UTF-8")
    ann.add_argument("--coder", action="append", help="only this coder's, e.g. gold (repeatable)")
    pos = what.add_parser("positions", help="statements as CSV (one row per statement)")
    pos.add_argument("project", type=project)
    pos.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    pos.add_argument("--coder", action="append", help="only this coder's, e.g. gold (repeatable)")
    pos.add_argument("--excel", action="store_true", help="add a BOM so Excel reads UTF-8")
    summary = what.add_parser("summary", help="summary tables: an .xlsx workbook or a CSV folder")
    brief = what.add_parser(
        "brief", help="issue brief: who supports and who opposes (.html/.docx/.md)"
    )
    network = what.add_parser("network", help="actor networks as GraphML or a CSV edge list")
    qdpx = what.add_parser("qdpx", help="the whole project as a REFI-QDA project (.qdpx)")
    qdc = what.add_parser("qdc", help="the codebook as a REFI-QDA codebook (.qdc)")
    for sub_parser, suffix in ((qdpx, ".qdpx"), (qdc, ".qdc")):
        sub_parser.add_argument("project", type=project)
        sub_parser.add_argument(
            "-o", "--output", type=Path, required=True, help=f"{suffix} file to write"
        )
    jsonld = what.add_parser("jsonld", help="W3C Web Annotation JSON-LD of every highlight")
    jsonld.add_argument("project", type=project)
    jsonld.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    jsonld.add_argument(
        "--coder", action="append", help="only this coder's, e.g. gold (repeatable)"
    )
    for sub_parser in (summary, brief, network):
        sub_parser.add_argument("project", type=project)
        sub_parser.add_argument("-o", "--output", type=Path, required=True)
        sub_parser.add_argument(
            "--coder", action="append", help="only this coder's, e.g. gold (repeatable)"
        )
        sub_parser.add_argument("--since", type=date.fromisoformat, help="published on or after")
        sub_parser.add_argument("--until", type=date.fromisoformat, help="published on or before")
    network.add_argument("--kind", choices=KINDS, default="two-mode")
    network.add_argument("--stance", type=int, help="two-mode: only statements of this stance")
    network.add_argument("--dedupe", action="store_true", help="one statement per document")
    network.add_argument("--binary", action="store_true", help="count shared issues, not products")
    network.add_argument("--normalise", choices=NORMALISATIONS, default="none")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "import":
            return _import(args)
        if args.command == "import-annotations":
            return _import_annotations(args)
        if args.command == "merge":
            return _merge(args)
        if args.command == "server":
            return _server(args)
        if args.command == "agreement":
            return _agreement(args)
        return _export(args)
    except MarginaliaError as exc:
        print(f"marginalia: {exc}", file=sys.stderr)
        return 1


def _import(args: argparse.Namespace) -> int:
    exchange = [p for p in args.paths if p.suffix.lower() in EXCHANGE_SUFFIXES]
    articles = [p for p in args.paths if p.suffix.lower() not in EXCHANGE_SUFFIXES]
    if missing := [p for p in exchange if not p.is_file()]:
        raise InvalidInput(f"File not found: {', '.join(map(str, missing))}")
    overrides = {
        field: getattr(args, f"column_{field}")
        for field in FIELDS
        if getattr(args, f"column_{field}") is not None
    }
    tables = [p for p in articles if is_table(p) and p.is_file()]
    if overrides and not tables:
        raise InvalidInput("The column options are for tables: name a .csv or .xlsx file.")
    mappings = {}  # decided before the project is opened: a wrong column name writes nothing
    for path in tables:
        if (mapping := _table_mapping(path, overrides)) is not None:
            mappings[path] = mapping
    created = isinstance(args.project, Path) and not args.project.exists()
    service = ProjectService.open(args.project, create=True)
    wrote = False
    try:
        for path in exchange:
            if path.suffix.lower() == ".qdc":
                refi, _ = service.import_qdc(path)
            else:
                refi, _ = service.import_qdpx(path)
            wrote = True
            print(f"{path.name}: {refi.summary()}")
            if details := refi.details():
                print(details)
        report = None
        if articles:
            report, _ = service.import_files(articles, mappings=mappings)
    except MarginaliaError:
        service.close()
        if created and not wrote:  # a project this command made for a failed import goes too
            for leftover in (args.project, *_sidecars(args.project)):
                leftover.unlink(missing_ok=True)
        raise
    service.close()
    if report is None:
        return 0
    print(report.summary())
    if details := report.details():
        print(details)
    return 0 if report.imported or not report.rejected else 1


def _sidecars(project: Path) -> list[Path]:
    return [project.with_name(project.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _table_mapping(path: Path, overrides: dict[str, str]) -> TableMapping | None:
    """The guessed mapping with the user's columns over it, printed; None when the table
    cannot be read (the import then reports why, with the other files)."""
    try:
        table, mapping = ProjectService.read_table(path)
    except InvalidInput:
        return None
    for field, column in overrides.items():
        column = column.strip() or None
        if column is not None and column not in table.columns:
            raise InvalidInput(
                f"{path.name} has no column “{column}” ({COLUMN_OPTIONS[field]}); "
                f"its columns are: {', '.join(table.columns)}."
            )
        for other in FIELDS:  # a column fills one field: the one the user named it for
            if other not in overrides and column and getattr(mapping, other) == column:
                mapping = mapping.with_field(other, None)
        mapping = mapping.with_field(field, column)
    if mapping.text is None:
        raise InvalidInput(
            f"{path.name}: no column holds the article text; name it with --text-column "
            f"(columns: {', '.join(table.columns)})."
        )
    where = ", ".join(
        f"{'date' if f == 'published' else f} ← {getattr(mapping, f) or '—'}" for f in FIELDS
    )
    kept = [c for c in table.columns if c not in mapping.used()]
    print(f"{path.name}: {len(table.rows)} row(s); {where}")
    if kept:
        print(f"  kept as metadata: {', '.join(kept)}")
    return mapping


def _import_annotations(args: argparse.Namespace) -> int:
    service = ProjectService.open(args.project, create=False)
    try:
        service.use_coder(args.coder or os_user_name())
        report, _ = service.import_annotations(args.file)
    finally:
        service.close()
    print(report.summary())
    if details := report.details():
        print(details)
    return 0 if report.annotations or not report.skipped else 1


def _agreement(args: argparse.Namespace) -> int:
    coders = [c.strip() for c in args.coders.split(",") if c.strip()]
    if len(coders) < 2:
        raise InvalidInput("Name at least two coders: --coders A,B")
    if args.output:
        report_format(args.output)  # a wrong suffix fails before the work, and writes nothing
    service = ProjectService.open(args.project, create=False)
    try:
        rows = service.agreement(coders, args.code)
        print(codes_line(args.code))
        table = [(r.coefficient, r.code, format_value(r.value), r.units, r.compared) for r in rows]
        widths = [max(len(str(x)) for x in col) for col in zip(HEADER, *table, strict=True)]
        for line in (HEADER, *table):
            print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
        if args.output:
            service.export_agreement(args.output, rows, coders, args.code)
            print(f"{len(rows)} rows written to {args.output}")
    finally:
        service.close()
    return 0


def _server(args: argparse.Namespace) -> int:
    if args.action == "init":
        server.init(args.url)
        print("Server ready: schema, roles (marginalia_owner/coder/reader) and policies.")
        return 0
    password = args.password or getpass.getpass(f"Password for {args.name}: ")
    server.add_coder(args.url, args.name, password, args.role)
    print(f"{args.name} can now log in as a {args.role}.")
    return 0


def _merge(args: argparse.Namespace) -> int:
    service = ProjectService.open(args.master, create=False)
    try:
        service.use_coder(os_user_name())
        for copy in args.copies:
            report, _ = service.merge_from(copy)
            print(f"{copy}: {report.summary()}")
            if details := report.details():
                print(details)
    finally:
        service.close()
    return 0


def _export(args: argparse.Namespace) -> int:
    service = ProjectService.open(args.project, create=False)
    coders = getattr(args, "coder", None)
    criteria = StatementFilter(
        coders=frozenset(coders) if coders else None,
        since=getattr(args, "since", None),
        until=getattr(args, "until", None),
    )
    try:
        if coders and (unknown := set(coders) - {c.name for c in service.coders()}):
            raise InvalidInput(f"No coder named {', '.join(sorted(unknown))} in this project.")
        if args.what == "annotations":
            rows = service.export_annotations_csv(args.output, excel=args.excel, coders=coders)
            done = f"{rows} rows"
        elif args.what == "positions":
            rows = service.export_positions_csv(args.output, criteria, excel=args.excel)
            done = f"{rows} rows"
        elif args.what == "summary":
            done = f"{len(service.export_summary(args.output, criteria))} file(s)"
        elif args.what == "brief":
            done = f"{service.export_brief(args.output, criteria)} issue(s)"
        elif args.what == "qdpx":
            _check_suffix(args.output, ".qdpx")
            done = service.export_qdpx(args.output).summary().removesuffix(" exported.")
        elif args.what == "qdc":
            _check_suffix(args.output, ".qdc")
            done = f"{service.export_qdc(args.output)} code(s)"
        elif args.what == "jsonld":
            done = f"{service.export_web_annotations(args.output, coders)} annotations"
        else:
            options = dict(
                stance=args.stance, dedupe=args.dedupe, binary=args.binary, normalise=args.normalise
            )
            done = f"{service.export_network(args.output, args.kind, criteria, **options)} edges"
    finally:
        service.close()
    print(f"{done} written to {args.output}")
    return 0


def _check_suffix(path: Path, suffix: str) -> None:
    if path.suffix.lower() != suffix:
        raise InvalidInput(f"Write the {suffix} export to a file ending in {suffix}: {path.name}")


if __name__ == "__main__":
    sys.exit(main())
