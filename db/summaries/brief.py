"""The issue brief: for each issue, who supports and who opposes it, with counts and quotes.

Written as Markdown, HTML or DOCX so a team can send it round.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from db.errors import InvalidInput
from db.exports.atomic import atomic_path
from db.logic.stance import StanceLevel
from db.ops.positions import stance_scale
from db.queries.positions import StatementFilter, list_statements
from db.records import StatementRecord


@dataclass
class Side:
    level: StanceLevel
    actors: dict[str, list[StatementRecord]] = field(default_factory=dict)


@dataclass
class IssueBrief:
    issue: str
    sides: list[Side]


def build_brief(session: Session, criteria: StatementFilter | None = None) -> list[IssueBrief]:
    scale = stance_scale(session)
    grouped: dict[str, dict[int, dict[str, list[StatementRecord]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for s in list_statements(session, criteria):
        grouped[s.issue][s.stance][s.actor].append(s)
    briefs = []
    for issue in sorted(grouped, key=str.casefold):
        sides = [
            Side(
                level, dict(sorted(grouped[issue][level.value].items(), key=lambda kv: -len(kv[1])))
            )
            for level in sorted(scale, key=lambda lv: -lv.value)  # support first
            if grouped[issue].get(level.value)
        ]
        briefs.append(IssueBrief(issue, sides))
    return briefs


def _source(s: StatementRecord) -> str:
    parts = [s.outlet or "outlet unknown", s.published.isoformat() if s.published else "undated"]
    if s.source:
        parts.append(f"via {s.source}")
    return ", ".join(parts)


def to_markdown(briefs: list[IssueBrief], title: str) -> str:
    lines = [f"# {title}", ""]
    for brief in briefs:
        lines += [f"## {brief.issue}", ""]
        for side in brief.sides:
            lines += [f"### {side.level.label.capitalize()}", ""]
            for actor, statements in side.actors.items():
                lines.append(f"- **{actor}** ({len(statements)})")
                lines += [f"  - “{s.quote}” — {_source(s)}" for s in statements]
            lines.append("")
    return "\n".join(lines)


def to_html(briefs: list[IssueBrief], title: str) -> str:
    e = html.escape
    out = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
        "<style>body{font-family:Georgia,serif;max-width:46em;margin:2em auto;line-height:1.5}"
        "blockquote{margin:.3em 0 .6em 1.5em;color:#333}small{color:#666}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    for brief in briefs:
        out.append(f"<h2>{e(brief.issue)}</h2>")
        for side in brief.sides:
            out.append(f"<h3>{e(side.level.label.capitalize())}</h3><ul>")
            for actor, statements in side.actors.items():
                quotes = "".join(
                    f"<blockquote>“{e(s.quote)}” <small>— {e(_source(s))}</small></blockquote>"
                    for s in statements
                )
                out.append(f"<li><strong>{e(actor)}</strong> ({len(statements)}){quotes}</li>")
            out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out)


def write_docx(briefs: list[IssueBrief], title: str, target: Path) -> None:
    from docx import Document as DocxDocument  # imported on first .docx brief only

    doc = DocxDocument()
    doc.add_heading(title, 0)
    for brief in briefs:
        doc.add_heading(brief.issue, 1)
        for side in brief.sides:
            doc.add_heading(side.level.label.capitalize(), 2)
            for actor, statements in side.actors.items():
                paragraph = doc.add_paragraph(style="List Bullet")
                paragraph.add_run(actor).bold = True
                paragraph.add_run(f" ({len(statements)})")
                for s in statements:
                    quote = doc.add_paragraph(style="List Bullet 2")
                    quote.add_run(f"“{s.quote}”").italic = True
                    quote.add_run(f" — {_source(s)}")
    doc.save(str(target))


def write_brief(
    session: Session,
    target: str | Path,
    criteria: StatementFilter | None = None,
    title: str = "Issue brief",
) -> int:
    """Markdown (.md), HTML (.html/.htm) or Word (.docx) by the file's extension; returns issues."""
    target = Path(target)
    briefs = build_brief(session, criteria)
    suffix = target.suffix.lower()
    if suffix not in (".docx", ".html", ".htm", ".md"):
        raise InvalidInput(f"An issue brief is .md, .html or .docx, not “{suffix or target.name}”.")
    with atomic_path(target) as tmp:
        if suffix == ".docx":
            write_docx(briefs, title, tmp)
        elif suffix == ".md":
            tmp.write_text(to_markdown(briefs, title), encoding="utf-8")
        else:
            tmp.write_text(to_html(briefs, title), encoding="utf-8")
    return len(briefs)
