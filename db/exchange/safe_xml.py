"""Parse untrusted XML through defusedxml only, with errors as messages for the user.

defusedxml refuses entity declarations (the "billion laughs" bomb expands a few hundred bytes
into gigabytes) and external entities (XXE: ``<!ENTITY x SYSTEM "file:///etc/passwd">`` would
read files from this computer into the project). REFI-QDA files never need either. Nesting is
capped too: deep trees are not data, they are an attempt to exhaust the stack.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml.common import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)

from db.errors import InvalidInput

MAX_DEPTH = 200
"""REFI-QDA nests codes in codes; a codebook 200 levels deep is not a codebook."""


def local(tag: str) -> str:
    """The tag's name without its namespace: ``{urn:QDA-XML:project:1.0}Code`` → ``Code``."""
    return tag[tag.rfind("}") + 1 :]


def namespace(tag: str) -> str:
    return tag[1 : tag.index("}")] if tag.startswith("{") else ""


def iterparse(stream: BinaryIO, label: str) -> Iterator[tuple[str, Element, int]]:
    """``(event, element, depth)`` for "start" and "end" events; the root has depth 1.

    Raises InvalidInput for XML attacks, malformed XML and excessive nesting.
    """
    depth = 0
    events = DefusedET.iterparse(
        stream,
        events=("start", "end"),
        forbid_dtd=False,
        forbid_entities=True,
        forbid_external=True,
    )
    try:
        for event, element in events:
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidInput(
                        f"{label} nests elements more than {MAX_DEPTH} levels deep; "
                        "nothing was imported."
                    )
                yield event, element, depth
            else:
                yield event, element, depth
                depth -= 1
    except (DefusedXmlException, ParseError) as exc:
        raise xml_error(exc, label) from exc


def parse_bytes(data: bytes, label: str) -> Element:
    """The root of a small document (a .qdc codebook), with the same protections."""
    root: Element | None = None
    for event, element, depth in iterparse(io.BytesIO(data), label):
        if event == "start" and depth == 1:
            root = element
    if root is None:  # pragma: no cover - a parse without a root raises above
        raise InvalidInput(f"{label} is empty; nothing was imported.")
    return root


def xml_error(exc: Exception, label: str) -> InvalidInput:
    """An XML failure in words: what the file tried, and that nothing was imported."""
    if isinstance(exc, EntitiesForbidden):
        if exc.sysid:
            reason = (
                f"declares an external entity ({exc.sysid}); reading it could leak files from "
                "this computer (an XXE attack), so the file was refused"
            )
        else:
            reason = (
                f"declares the XML entity “{exc.name}”; entity expansion can blow a small file "
                "up to gigabytes (a “billion laughs” attack), so the file was refused"
            )
    elif isinstance(exc, ExternalReferenceForbidden):
        reason = f"refers to an external resource ({exc.sysid}); the file was refused"
    elif isinstance(exc, DTDForbidden):
        reason = "declares a document type (DTD); the file was refused"
    elif isinstance(exc, ParseError):
        line, column = getattr(exc, "position", (0, 0))
        reason = f"is not well-formed XML (line {line}, column {column + 1}: {_short(exc)})"
    else:
        reason = f"was refused by the XML parser ({exc})"
    return InvalidInput(f"{label} {reason}; nothing was imported.")


def _short(exc: ParseError) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if ": line" in text else text
