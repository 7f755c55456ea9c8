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
from db.service import ProjectService
from db.summaries.agreement_report import HEADER, codes_line, format_value, report_format
from db.summaries.networks import KINDS

COMMANDS = ("import", "import-annotations", "export", "merge", "server", "agreement")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="marginalia", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    imp = sub.add_parser("import", help="import .txt/.md articles (files or folders)")
    imp.add_argument("project", type=Path, help="project file (created if missing)")
    imp.add_argument("paths", nargs="+", type=Path, help="files or folders")

    ann_in = sub.add_parser(
        "import-annotations", help="import annotations and statements from JSON Lines"
    )
    ann_in.add_argument("project", type=Path)
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
    ann.add_argument("project", type=Path)
    ann.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    ann.add_argument("--excel", action="store_true", help="add a BOM so Excel reads UTF-8")
    ann.add_argument("--coder", action="append", help="only this coder's, e.g. gold (repeatable)")
    pos = what.add_parser("positions", help="statements as CSV (one row per statement)")
    pos.add_argument("project", type=Path)
    pos.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    pos.add_argument("--coder", action="append", help="only this coder's, e.g. gold (repeatable)")
    pos.add_argument("--excel", action="store_true", help="add a BOM so Excel reads UTF-8")
    summary = what.add_parser("summary", help="summary tables: an .xlsx workbook or a CSV folder")
    brief = what.add_parser(
        "brief", help="issue brief: who supports and who opposes (.html/.docx/.md)"
    )
    network = what.add_parser("network", help="actor networks as GraphML or a CSV edge list")
    jsonld = what.add_parser("jsonld", help="W3C Web Annotation JSON-LD of every highlight")
    jsonld.add_argument("project", type=Path)
    jsonld.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    jsonld.add_argument(
        "--coder", action="append", help="only this coder's, e.g. gold (repeatable)"
    )
    for sub_parser in (summary, brief, network):
        sub_parser.add_argument("project", type=Path)
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
    service = ProjectService.open(args.project, create=True)
    try:
        report, _ = service.import_files(args.paths)
    finally:
        service.close()
    print(report.summary())
    if details := report.details():
        print(details)
    return 0 if report.imported or not report.rejected else 1


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


if __name__ == "__main__":
    sys.exit(main())
