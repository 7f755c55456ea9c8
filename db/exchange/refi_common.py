"""What REFI-QDA export and import share: namespaces, GUIDs, colours, dates, XML escaping.

GUIDs are our rows' UUIDs. Rows REFI-QDA has but we do not store (a coding of one code on one
highlight, the codes that stand for positions) get *name-based* UUIDs (uuid5) derived from our
UUIDs, so exporting twice gives the same GUIDs and a re-import merges instead of duplicating.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from importlib import metadata

Progress = Callable[[int, int], None]
"""``progress(done, total)``; it may raise ``Cancelled`` to stop (the transaction rolls back)."""

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
NS_PREFIX = "urn:QDA-XML:"
"""Tools write versions other than 1.0 (QualCoder has seen 0:4); any urn:QDA-XML: is read."""

SOURCES_DIR = "sources"
"""REFI-QDA names the folder ``sources``; MAXQDA and QualCoder write it so, NVivo ``Sources``,
and ATLAS.ti refuses the capitalised one. Import accepts either."""

MARGINALIA_NS = uuid.UUID("6f1b7c52-3d0e-4f7a-9a53-7d1c2b8e4a10")
"""Namespace of the name-based GUIDs Marginalia derives (uuid5)."""

EXTENSION_PREFIX = "marginalia-extension/1"
"""First line of the note that carries what REFI-QDA has no place for (see refi_export)."""
EXTENSION_FORMAT = "marginalia"
"""The ``format`` of that note's JSON; import reads a note only with this format."""

_NS_BYTES = MARGINALIA_NS.bytes
POSITIONS_GROUP_GUID = str(uuid.uuid5(MARGINALIA_NS, "positions"))
"""The code group "Positions" that holds actor › stance › issue codes for other tools."""

VARIABLES = (
    ("outlet", "Outlet", "Text"),
    ("author", "Author", "Text"),
    ("published", "Published", "Date"),
    ("url", "URL", "Text"),
    ("language", "Language", "Text"),
)
"""Document metadata as REFI-QDA document variables: (field, variable name, type)."""
VARIABLE_FIELDS = {name.casefold(): field for field, name, _ in VARIABLES} | {
    "source": "outlet",
    "date": "published",
}
"""A variable name another tool (or we) wrote, case-folded → the document field it fills."""

_GUID = re.compile(
    r"^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$", re.IGNORECASE
)
_CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_RGB = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')
_TEXT_SPECIAL = re.compile("[&<>\r]")
_ATTR_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\n": "&#10;",
    "\r": "&#13;",
    "\t": "&#9;",
}


def derived_guid(*parts: str) -> str:
    """A stable GUID for something we store without one (e.g. a coding: highlight + code).

    Exactly ``str(uuid.uuid5(MARGINALIA_NS, ":".join(parts)))``, without building UUID objects
    (an export derives one per coding: hundreds of thousands).
    """
    digest = bytearray(hashlib.sha1(_NS_BYTES + ":".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def norm_guid(raw: str | None) -> str | None:
    """A GUID as we store UUIDs: lower case, no braces; a non-GUID gets a stable stand-in.

    Tools write ``{ABCD…}``, upper case, even typographic hyphens; references to the same
    thing must land on the same row whatever the spelling.
    """
    if raw is None:
        return None
    if _CANONICAL.fullmatch(raw):  # what we and most tools write: nothing to do
        return raw
    text = raw.strip()
    match = _GUID.match(text) or _GUID.match(text.translate(_DASHES))
    if match:
        return match.group(1).lower()
    return derived_guid("guid", text) if text else None


def color_or_none(raw: str | None) -> str | None:
    """``#rrggbb`` (lower case) from ``#RGB``/``#RRGGBB``, or None if missing or malformed."""
    if not raw:
        return None
    match = _RGB.match(raw.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits.lower()}"


def variable_guid(name: str) -> str:
    """The GUID of the document variable ``name`` (the same in every export)."""
    return derived_guid("variable", name)


def attr(value: str) -> str:
    """A string as a double-quoted attribute value (line breaks survive as character refs)."""
    return _escape(value, _ATTR_SPECIAL)


def text(value: str) -> str:
    """A string as element content; characters XML 1.0 cannot carry become U+FFFD."""
    return _escape(value, _TEXT_SPECIAL)


def _escape(value: str, special: re.Pattern[str]) -> str:
    value = _XML_BAD.sub("\ufffd", value)
    if special.search(value):
        value = special.sub(lambda m: _ATTR_ESCAPES[m.group()], value)
    return value


def iso(moment: datetime | None) -> str | None:
    """An xsd:dateTime in UTC with a Z (naive values from SQLite are UTC already)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def parse_datetime(raw: str | None) -> datetime | None:
    """An xsd:dateTime as an aware UTC datetime, or None when missing or unreadable."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


def origin() -> str:
    """What goes into ``origin``: the program and its version."""
    try:
        return f"Marginalia {metadata.version('marginalia')}"
    except metadata.PackageNotFoundError:
        return "Marginalia"
