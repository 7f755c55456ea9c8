"""Turn the bytes of an article file into the canonical text we store, or say why not.

The stored text is the anchor for every offset, so it is produced once, here, and never altered:
decoded (BOM, strict UTF-8, then charset-normalizer's best guess), NFC-normalised, with ``\\n``
line ends.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterable

from charset_normalizer import from_bytes

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Articles are at most a few hundred kB; anything past this is not an article."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")  # control characters but \t \n \f
_EXTRACTED_JUNK = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\ufeff]")
_ASCII_BYTES = bytes(range(0x80))
_SINGLE_BYTE = ["cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp1257", "mac_roman"]


class TextRejected(ValueError):
    """The file cannot become an article; the message says why, in words for the user."""


def normalise(text: str) -> str:
    """NFC, ``\\n`` line ends, no BOM; the form every offset refers to."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    return unicodedata.normalize("NFC", text)


def from_paragraphs(paragraphs: Iterable[str]) -> str:
    """Paragraphs extracted from a document (web page, DOCX, PDF, ODT) as one canonical text.

    Each paragraph is trimmed, loses control characters (form feeds, vertical tabs: layout
    debris, not text), soft hyphens and blank lines inside it, so a blank line always means a new
    paragraph; the whole is normalised like a text file. May be empty: the reader says why.
    """
    kept = []
    for paragraph in paragraphs:
        lines = _EXTRACTED_JUNK.sub("", normalise(paragraph)).split("\n")
        body = "\n".join(line.rstrip() for line in lines if line.strip()).strip()
        if body:
            kept.append(body)
    text = normalise("\n\n".join(kept))
    if len(text) > MAX_FILE_BYTES:
        raise TextRejected(f"too long ({len(text):,} characters of text; not a single article)")
    return text


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode(data: bytes) -> str:
    """Decode an article file's bytes to normalised text, raising TextRejected with a reason."""
    if len(data) > MAX_FILE_BYTES:
        raise TextRejected(
            f"too large ({len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // 10**6} MB)"
        )
    text = _decode_bytes(data)
    text = normalise(text)
    if not text.strip():
        raise TextRejected("empty file")
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) // 1000):
        raise TextRejected("binary file (control characters in the text)")
    return text


def _decode_bytes(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise TextRejected(f"undecodable ({encoding} byte-order mark, bad bytes)") from exc
    if b"\x00" in data:
        raise TextRejected("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    ascii_share = 1 - len(data.translate(None, _ASCII_BYTES)) / len(data)
    # Mostly-ASCII text with a few high bytes is a single-byte Western file (Word, old CMS
    # exports); left alone, the detector sometimes reads it as a CJK multi-byte encoding.
    candidates = _SINGLE_BYTE if ascii_share >= 0.9 else None
    matches = list(from_bytes(data, cp_isolation=candidates))
    # Ties are common for short text (Latin-1 French reads as "valid" cp1250 too): among the
    # equally good guesses, prefer the more common encodings, Western first.
    order = {name: i for i, name in enumerate(candidates or _SINGLE_BYTE)}
    best = min(
        matches,
        key=lambda m: (round(m.chaos, 3), -round(m.coherence, 3), order.get(m.encoding, 99)),
        default=None,
    )
    if best is None or best.chaos > 0.3:
        raise TextRejected("undecodable (not UTF-8 and no other encoding fits)")
    return str(best)
