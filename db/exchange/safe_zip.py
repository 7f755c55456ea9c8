"""Read members of an untrusted zip archive in memory, refusing archives that try anything.

A ``.qdpx`` comes from someone else's computer. We never extract it to disk, yet an archive
that hides an entry escaping its folder (zip slip: ``../``, ``/etc/…``, ``C:\\…``), a symbolic
link, encryption, millions of entries or a decompression bomb is refused as a whole with a
message that says why: such a file was made to attack, not to share a project.

Sizes are checked twice: the declared sizes before anything is decompressed (including the
entry count, read from the end record before ``zipfile`` builds its directory), and the bytes
actually produced while reading, so a lying header cannot push past the limits.
"""

from __future__ import annotations

import io
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from db.errors import InvalidInput

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_archive_bytes: int = 4096 * MiB
    max_entries: int = 100_000
    """A project with 10,000 articles has 10,001 entries; a tenfold margin."""
    max_member_bytes: int = 2048 * MiB
    """The project XML of 500,000 annotations is about 300 MB."""
    max_total_bytes: int = 8192 * MiB
    max_ratio: int = 100
    """Text and XML compress 3–10 times; bombs compress a thousand times and more."""
    ratio_floor: int = 1 * MiB
    """Small members may compress well (a file of spaces); the ratio counts above this size."""


DEFAULT_LIMITS = ArchiveLimits()
_DRIVE = re.compile(r"^[A-Za-z]:")
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


def unsafe_name_reason(name: str) -> str | None:
    """Why this entry name would escape the folder it is extracted to, or None if it is safe."""
    if "\x00" in name:
        return "contains a NUL character"
    if name.startswith(("/", "\\")):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "names a drive"
    if any(part == ".." for part in re.split(r"[/\\]", name)):
        return "climbs out of the folder with “..”"
    return None


class SafeZip:
    """An opened, checked archive; ``read``/``open`` give members with a size limit.

    Use as a context manager. Every problem raises InvalidInput naming the archive.
    """

    def __init__(self, path: str | Path, limits: ArchiveLimits | None = None) -> None:
        self.path = Path(path)
        self.label = self.path.name
        self.limits = limits or DEFAULT_LIMITS
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise self.error(f"cannot be read ({exc.strerror or exc})") from exc
        if size > self.limits.max_archive_bytes:
            raise self.error(
                f"is too large ({size / MiB:,.0f} MB; the limit is "
                f"{self.limits.max_archive_bytes // MiB:,} MB)"
            )
        try:
            with self.path.open("rb") as handle:
                declared = _declared_entries(handle, size)
        except OSError as exc:
            raise self.error(f"cannot be read ({exc.strerror or exc})") from exc
        if declared is None:
            raise self.error("is not a zip archive (a .qdpx file is a zip archive)")
        self._check_count(declared)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise self.error(f"is not a readable zip archive ({exc})") from exc
        try:
            self._check_entries()
        except BaseException:
            self._zip.close()
            raise
        self._by_lower = {info.filename.lower(): info for info in self._zip.infolist()}
        self.read_total = 0
        """Bytes decompressed so far: reading one member again and again counts every time."""

    def error(self, reason: str) -> InvalidInput:
        return InvalidInput(f"{self.label} {reason}; nothing was imported.")

    def _check_count(self, count: int) -> None:
        if count > self.limits.max_entries:
            raise self.error(
                f"has too many entries ({count:,}; the limit is {self.limits.max_entries:,})"
            )

    def _check_entries(self) -> None:
        infos = self._zip.infolist()
        self._check_count(len(infos))
        seen: set[str] = set()
        total = 0
        limits = self.limits
        for info in infos:
            name = info.filename
            if reason := unsafe_name_reason(name):
                raise self.error(f"holds an entry that {reason} ({name!r}): a zip-slip attack")
            if name in seen:
                raise self.error(f"lists the entry {name!r} twice")
            seen.add(name)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise self.error(f"holds a symbolic link ({name!r})")
            if info.flag_bits & 0x1:
                raise self.error(f"holds an encrypted entry ({name!r})")
            if info.file_size > limits.max_member_bytes:
                raise self.error(
                    f"holds an entry too large to read ({name!r}: {info.file_size / MiB:,.0f} MB"
                    f" uncompressed; the limit is {limits.max_member_bytes // MiB:,} MB)"
                )
            if info.file_size > limits.ratio_floor and (
                info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
            ):
                ratio = info.file_size / max(1, info.compress_size)
                raise self.error(
                    f"holds an entry that expands {ratio:,.0f} times ({name!r}): "
                    "a decompression bomb"
                )
            total += info.file_size
        if total > limits.max_total_bytes:
            raise self.error(
                f"expands to {total / MiB:,.0f} MB (the limit is "
                f"{limits.max_total_bytes // MiB:,} MB)"
            )

    # Finding members ---------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [info.filename for info in self._zip.infolist() if not info.is_dir()]

    def find(self, name: str) -> str | None:
        """The member with this name, compared without case (``Sources/`` = ``sources/``)."""
        info = self._by_lower.get(name.lower())
        return None if info is None or info.is_dir() else info.filename

    def size(self, name: str) -> int:
        return self._zip.getinfo(name).file_size

    # Reading -------------------------------------------------------------------------------
    def read(self, name: str, limit: int) -> bytes:
        """A member's bytes, refused past ``limit`` (declared or actually decompressed)."""
        with self.open(name, limit) as stream:
            return stream.read()

    def open(
        self, name: str, limit: int, progress: Callable[[int], None] | None = None
    ) -> BinaryIO:
        """A member as a stream that stops with InvalidInput past ``limit`` bytes."""
        info = self._zip.getinfo(name)
        if info.file_size > limit:
            raise self.error(
                f"holds {name!r} of {info.file_size / MiB:,.1f} MB (the limit is "
                f"{limit / MiB:,.1f} MB)"
            )
        try:
            raw = self._zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            raise self.error(f"holds {name!r}, which cannot be read ({exc})") from exc
        return _Limited(raw, limit, name, self, progress)  # type: ignore[return-value]

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Limited(io.RawIOBase):
    """Counts decompressed bytes; past the limit, or on damaged data, a clear InvalidInput."""

    def __init__(self, raw, limit: int, name: str, archive: SafeZip, progress) -> None:
        self._raw, self._limit, self._name, self._archive = raw, limit, name, archive
        self._progress = progress
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._raw.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
            raise self._archive.error(f"is damaged: {self._name!r} cannot be read ({exc})") from exc
        self.count += len(data)
        self._archive.read_total += len(data)
        if self._archive.read_total > self._archive.limits.max_total_bytes:
            raise self._archive.error(
                f"makes us decompress more than {self._archive.limits.max_total_bytes // MiB:,} MB"
                " (the same entries over and over)"
            )
        if self.count > self._limit:
            raise self._archive.error(
                f"holds {self._name!r}, which expands past {self._limit / MiB:,.1f} MB"
            )
        if self._progress is not None:
            self._progress(self.count)
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            chunks = list(self._chunks())
            return b"".join(chunks)
        return super().read(size) or b""

    def _chunks(self) -> Iterator[bytes]:
        while chunk := self.read(1 << 20):
            yield chunk

    def close(self) -> None:
        self._raw.close()
        super().close()


def _declared_entries(handle: BinaryIO, size: int) -> int | None:
    """The entry count the end record declares (zip64 too), or None if this is no zip.

    Read before ``zipfile`` builds its directory, so a million-entry archive is refused
    without reading its million headers.
    """
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if entries != 0xFFFF:
        return entries
    locator = at - 20
    if locator < 0 or tail[locator : locator + 4] != _ZIP64_LOCATOR:
        return entries
    (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
    handle.seek(offset)
    record = handle.read(56)
    if len(record) < 56 or record[:4] != _ZIP64_EOCD:
        return None
    (count,) = struct.unpack("<Q", record[32:40])
    return count


def member_path(folder: str, relative: str) -> str:
    """``folder/relative`` as an archive path (forward slashes, no leading slash)."""
    relative = relative.replace("\\", "/").lstrip("/")
    return f"{folder}/{relative}" if folder else relative
