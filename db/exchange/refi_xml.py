"""Reading a REFI-QDA file: where its XML is, what its elements say, as plain values.

Nothing here touches the project: the archive and the XML come in (already made safe by
``safe_zip`` and ``safe_xml``), strings, records and GUIDs go out. Names are tidied (white
space folded, length capped) and GUIDs normalised (``norm_guid``) on the way.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from db.errors import InvalidInput
from db.exchange import safe_xml
from db.exchange.refi_common import (
    NS_PREFIX,
    POSITIONS_GROUP_GUID,
    SOURCES_DIR,
    color_or_none,
    derived_guid,
    norm_guid,
)
from db.exchange.safe_zip import SafeZip, member_path

MiB = 1024 * 1024
MAX_QDC_BYTES = 64 * MiB


# The file's parts ----------------------------------------------------------------------------
def project_member(archive: SafeZip) -> str:
    """The project XML: ``project.qde``, or the one ``*.qde`` (ATLAS.ti names it after the
    project), at the top or in one folder."""
    candidates = [n for n in archive.names if n.lower().endswith(".qde")]
    top = [n for n in candidates if "/" not in n]
    for group in (top, candidates):
        named = [n for n in group if n.rsplit("/", 1)[-1].lower() == "project.qde"]
        if len(named) == 1:
            return named[0]
        if len(group) == 1:
            return group[0]
        if len(group) > 1:
            raise archive.error(
                f"holds {len(group)} project files ({', '.join(sorted(group)[:3])}…); "
                "a .qdpx holds one"
            )
    raise archive.error("holds no project.qde, so it is not a REFI-QDA project")


def archive_member(archive: SafeZip | None, folder: str, path: str) -> str | None:
    """The archive member an ``internal://`` path names (never a file outside the archive).

    Looked for under ``sources/`` (any case) beside the project XML, then beside it directly.
    """
    if archive is None:
        return None
    lowered = path.strip().lower()
    if not lowered.startswith("internal:"):
        return None  # relative:// and absolute:// point outside: not read, by design
    relative = path.strip()[len("internal:") :].lstrip("/\\")
    for candidate in (
        member_path(member_path(folder, SOURCES_DIR), relative),
        member_path(folder, relative),
    ):
        if found := archive.find(candidate):
            return found
    return None


def check_project_root(element: Element, label: str) -> None:
    """Raise InvalidInput unless the XML is a ``<Project>`` of some REFI-QDA version."""
    name, space = safe_xml.local(element.tag), safe_xml.namespace(element.tag)
    if name != "Project" or not _refi_namespace(space):
        what = f"<{name}>" + (f" in {space}" if space else "")
        raise InvalidInput(
            f"{label} is not a REFI-QDA project (its XML starts with {what}, not "
            "<Project> in urn:QDA-XML:project); nothing was imported."
        )


def read_codebook(path: Path) -> Element:
    """The ``<CodeBook>`` of a .qdc file (or of a project XML saved as one), size-limited."""
    try:
        size = path.stat().st_size
        if size > MAX_QDC_BYTES:
            raise InvalidInput(
                f"{path.name} is too large for a codebook ({size / MiB:,.0f} MB; the limit is "
                f"{MAX_QDC_BYTES // MiB} MB); nothing was imported."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    root = safe_xml.parse_bytes(data, path.name)
    name, space = safe_xml.local(root.tag), safe_xml.namespace(root.tag)
    if not _refi_namespace(space):
        raise InvalidInput(
            f"{path.name} is not a REFI-QDA codebook (its XML namespace is {space}); "
            "nothing was imported."
        )
    codebook = next(children(root, "CodeBook"), None) if name == "Project" else root
    if codebook is None or safe_xml.local(codebook.tag) != "CodeBook":
        raise InvalidInput(
            f"{path.name} is not a REFI-QDA codebook (no <CodeBook>); nothing was imported."
        )
    return codebook


def _refi_namespace(space: str) -> bool:
    """No namespace, or any version of REFI-QDA's (tools write versions other than 1.0)."""
    return not space or space.startswith(NS_PREFIX)


# Elements and values -------------------------------------------------------------------------
def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if safe_xml.local(child.tag) == name)


def child_text(element: Element, name: str) -> str | None:
    for child in element:
        if safe_xml.local(child.tag) == name:
            return child.text or ""
    return None


def clean(name: str | None, limit: int = 200) -> str:
    return " ".join((name or "").split())[:limit]


def raw_text(data: bytes) -> str | None:
    """The bytes as text exactly as the file has it (for counting positions), or None."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def variables(element: Element) -> dict[str, str]:
    """``<Variables>``: variable GUID → its name."""
    found = {}
    for variable in children(element, "Variable"):
        guid = norm_guid(variable.get("guid"))
        name = clean(variable.get("name"))
        if guid and name:
            found[guid] = name
    return found


# The codebook as records ---------------------------------------------------------------------
@dataclass
class CodeItem:
    guid: str
    name: str
    parent: str | None
    """The parent's GUID in the file (None: top level)."""
    color: str | None
    description: str
    depth: int


def code_items(codes: Element) -> tuple[list[CodeItem], list[CodeItem]]:
    """The code tree under ``<Codes>``, parents first; ``A::B`` names become levels.

    Returns the codes, and apart from them the Positions group we export with everything
    under it (held back: see ``refi_import``).
    """
    items: list[CodeItem] = []
    held: list[CodeItem] = []
    held_guids: set[str] = set()
    stack: list[tuple[Element, str | None, int]] = [
        (c, None, 0) for c in reversed(list(children(codes, "Code")))
    ]
    while stack:
        element, parent, depth = stack.pop()
        parts = [clean(p) for p in (element.get("name") or "").split("::")]
        parts = [p for p in parts if p] or ["Unnamed code"]
        for part in parts[:-1]:  # "A::B": A is a level of its own
            guid = derived_guid("code-path", parent or "", part.casefold())
            items.append(CodeItem(guid, part, parent, None, "", depth))
            parent, depth = guid, depth + 1
        guid = norm_guid(element.get("guid")) or derived_guid("code-name", parent or "", parts[-1])
        item = CodeItem(
            guid,
            parts[-1],
            parent,
            color_or_none(element.get("color")),
            child_text(element, "Description") or "",
            depth,
        )
        if guid == POSITIONS_GROUP_GUID or (parent is not None and parent in held_guids):
            held_guids.add(guid)
            held.append(item)
        else:
            items.append(item)
        stack.extend((c, guid, depth + 1) for c in reversed(list(children(element, "Code"))))
    return items, held


# A selection as a record ---------------------------------------------------------------------
@dataclass
class SelectionParts:
    """What a ``PlainTextSelection`` says besides its positions."""

    owner: str | None
    """The user GUID that made it (None: the file does not say)."""
    codes_by_user: dict[str | None, list[str]]
    """User GUID → the code GUIDs that user coded it with; the owner is always a key."""
    memo: str
    notes: list[str]
    """GUIDs of the Notes it refers to."""
    codeless: int
    """Codings that name no code."""


def selection_parts(element: Element, guid: Callable[[str | None], str | None]) -> SelectionParts:
    """Codings by user, memo and note references; ``guid`` normalises the GUIDs of users and
    codes (a caching ``norm_guid``: selections are the bulk of a project)."""
    owner = guid(element.get("creatingUser") or element.get("modifyingUser"))
    by_user: dict[str | None, list[str]] = {}
    memo, notes, codeless = "", [], 0
    for child in element:  # one pass
        tag = child.tag
        name = tag[tag.rfind("}") + 1 :]
        if name == "Coding":
            code = None
            for ref in child:
                if ref.tag.endswith("CodeRef"):
                    code = guid(ref.get("targetGUID"))
                    break
            if code is None:
                codeless += 1
                continue
            user = guid(child.get("creatingUser")) or owner
            by_user.setdefault(user, []).append(code)
        elif name == "Description":
            memo = child.text or ""
        elif name == "NoteRef" and (note := norm_guid(child.get("targetGUID"))):
            notes.append(note)
    if owner is None and by_user:
        owner = next(iter(by_user))
    by_user.setdefault(owner, [])
    return SelectionParts(owner, by_user, memo, notes, codeless)
