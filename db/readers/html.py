"""Saved web pages (.html, .htm): the article's text and metadata, without the page around it.

trafilatura finds the main text (navigation, footers, cookie banners and comments dropped) and
the page's metadata (title, author, publication date, site name, canonical URL). We add what it
does not give: the charset the page declares, the ``<html lang>``, and the address a browser
records when it saves a page. Each block trafilatura keeps (heading, paragraph, list, quote,
table) becomes one paragraph of our text.
"""

from __future__ import annotations

import codecs
import re
from datetime import date
from pathlib import Path
from typing import Any

from db.logic import text
from db.readers import ArticleDraft
from db.readers.plain import read_bytes

MIN_ARTICLE_WORDS = 20
"""Below this, what trafilatura found is a menu or a login form, not an article."""

NO_ARTICLE = "no article text found in this page (is it an index, login or error page?)"

_DECLARED_CHARSET = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)"""  # XHTML's XML declaration
    rb"""|<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""",
    re.I,
)
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(https?://[^\s>]+?)\s*-->", re.I)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# The HTML standard reads these declarations as windows-1252, and a page saying "utf-16" in
# ASCII bytes cannot be UTF-16 (it would have a BOM, which text.decode honours).
_DECLARED_AS = {
    "iso8859_1": "cp1252",
    "ascii": "cp1252",
    "utf_16": "utf-8",
    "utf_16_le": "utf-8",
    "utf_16_be": "utf-8",
}


def read(path: Path) -> list[ArticleDraft]:
    page = decode_page(read_bytes(path))
    return [extract(page, path.name)]


def decode_page(data: bytes) -> str:
    """The page as text: in the charset it declares when that decodes cleanly, else as any
    text file (BOM, UTF-8, best guess), so a mislabelled page still reads."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        declared = _DECLARED_CHARSET.search(data[:4096])
        if declared:
            label = (declared.group(1) or declared.group(2)).decode("ascii")
            try:
                name = codecs.lookup(label).name.replace("-", "_")
                return text.normalise(data.decode(_DECLARED_AS.get(name, name)))
            except (LookupError, UnicodeDecodeError):
                pass
    return text.decode(data)


def extract(page: str, name: str) -> ArticleDraft:
    """One article from the page's HTML, or TextRejected when there is none."""
    import trafilatura  # imported on first use: it takes a moment
    from trafilatura.settings import set_date_params
    from trafilatura.xml import xmltotxt

    tree = trafilatura.load_html(_XML_DECLARATION.sub("", page, count=1))
    if tree is None:
        raise text.TextRejected("not a readable web page")
    saved_from = _SAVED_FROM.search(page[:2048])  # a browser's "saved from url=" comment
    found = trafilatura.bare_extraction(
        tree,
        url=saved_from.group(1) if saved_from else None,  # also a source of the date
        with_metadata=True,
        include_comments=False,  # readers' comments are not the article
        include_tables=True,
        # Dates only from the page's metadata (meta tags, JSON-LD, <time>, the URL): the
        # extensive search guesses from any date in the page, such as a copyright year.
        date_extraction_params=set_date_params(extensive=False),
    )
    body = getattr(found, "body", None)
    blocks = [xmltotxt(block, False) for block in body] if body is not None else []
    article = text.from_paragraphs(blocks)
    if len(article.split()) < MIN_ARTICLE_WORDS:
        raise text.TextRejected(NO_ARTICLE)
    extra: dict[str, Any] = {}
    for key in ("description", "categories", "tags", "license"):
        value = getattr(found, key, None)
        if value:
            extra[key] = value
    return ArticleDraft(
        name=name,
        text=article,
        title=_clean(found.title),
        published=_date(found.date),
        outlet=_clean(found.sitename),
        author=_clean(found.author),
        url=_clean(found.url) or (saved_from.group(1) if saved_from else None),
        language=_language(tree),
        extra=extra,
    )


def _clean(value: str | None) -> str | None:
    """One line of metadata: normalised, single spaces, None when blank."""
    return (" ".join(text.normalise(value).split()) or None) if value else None


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _language(tree: Any) -> str | None:
    """``<html lang>``, else the Content-Language or og:locale meta tag, as a BCP 47 tag."""
    candidates = [tree.get("lang"), tree.get("xml:lang")]  # the HTML parser keeps "xml:" as is
    for meta in tree.iterfind(".//meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language"):
            candidates.append(meta.get("content"))
    for candidate in candidates:
        tag = (candidate or "").strip().split(",")[0].strip().replace("_", "-")
        if _LANGUAGE.match(tag):
            return tag
    return None
