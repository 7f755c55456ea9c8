"""OpenDocument text (.odt, LibreOffice) through odfpy: headings and paragraphs in body order.

Title and author come from meta.xml (``dc:title``; ``meta:initial-creator``, else
``dc:creator``, the last person to save). As for DOCX, the file's own dates say when it was made,
not when the article appeared: they go to ``extra``, and the date is inferred from the text.
odfpy already parses the XML with defusedxml; we refuse zip bombs before it unpacks anything.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from db.logic import text
from db.readers import ArticleDraft
from db.readers.docx import open_zip
from db.readers.plain import MAX_PACKAGE_BYTES, read_bytes

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_PARAGRAPHS = {(TEXT_NS, "p"), (TEXT_NS, "h")}
_SKIPPED = {(TEXT_NS, "tracked-changes"), (TEXT_NS, "sequence-decls"), (TEXT_NS, "note")}
"""Deleted text kept for change tracking, declarations, and footnotes (not running text)."""
_SPACING = {(TEXT_NS, "line-break"): "\n", (TEXT_NS, "tab"): "\t"}
_TEXT_NODE = 3  # xml.dom's Node.TEXT_NODE, as odfpy uses it


def read(path: Path) -> list[ArticleDraft]:
    from odf import opendocument

    data = read_bytes(path, MAX_PACKAGE_BYTES)
    if not data.strip(b"\0 \t\r\n"):
        raise text.TextRejected("empty file")
    names = open_zip(data, "ODT").namelist()
    if "content.xml" not in names or "META-INF/manifest.xml" not in names:
        raise text.TextRejected("not an OpenDocument text (.odt): its content is missing")
    try:
        document = opendocument.load(io.BytesIO(data))
        body = document.text
        if body is None:
            raise text.TextRejected("not a text document (a spreadsheet or drawing saved as .odt?)")
        paragraphs = [_text(p) for p in _paragraphs(body)]
        meta = {key: _meta(document, key) for key in ("title", "initial-creator", "creator")}
        dates = {key: _meta(document, key) for key in ("creation-date", "date")}
    except text.TextRejected:
        raise
    except Exception as exc:  # odfpy fails in many ways on damaged XML (asserts, SAX, Index)
        raise text.TextRejected("not a readable OpenDocument text (damaged .odt)") from exc
    article = text.from_paragraphs(paragraphs)
    if not article:
        raise text.TextRejected("no text in this document")
    extra: dict[str, Any] = {}
    for key, name in (("creation-date", "file_created"), ("date", "file_modified")):
        if dates[key]:
            extra[name] = dates[key]
    return [
        ArticleDraft(
            name=path.name,
            text=article,
            title=meta["title"],
            author=meta["initial-creator"] or meta["creator"],
            extra=extra,
        )
    ]


def _paragraphs(node: Any) -> list[Any]:
    """text:p and text:h in document order, also inside lists, tables, sections and frames."""
    found = []
    stack = list(reversed(node.childNodes))
    while stack:
        child = stack.pop()
        qname = getattr(child, "qname", None)
        if qname in _PARAGRAPHS:
            found.append(child)
        elif qname not in _SKIPPED:
            stack.extend(reversed(getattr(child, "childNodes", [])))
    return found


def _text(node: Any) -> str:
    """A paragraph's text with ODF's spacing elements spelled out, like odfpy's
    ``teletype.extractText`` but without the footnotes anchored in it."""
    parts: list[str] = []
    for child in node.childNodes:
        if child.nodeType == _TEXT_NODE:
            parts.append(child.data)
            continue
        qname = getattr(child, "qname", None)
        if qname in _SPACING:
            parts.append(_SPACING[qname])
        elif qname == (TEXT_NS, "s"):
            count = child.getAttribute("c")
            parts.append(" " * min(int(count) if count and count.isdigit() else 1, 100))
        elif qname not in _SKIPPED:
            parts.append(_text(child))
    return "".join(parts)


def _meta(document: Any, local: str) -> str | None:
    """The first meta.xml element with this local name (dc: or meta: namespace), as text."""
    for element in document.meta.childNodes:
        if getattr(element, "qname", (None, None))[1] == local:
            value = " ".join(text.normalise(str(element)).split())
            return value or None
    return None
