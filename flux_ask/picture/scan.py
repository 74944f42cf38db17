"""Walk a folder tree and say which files are photographs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Decoded by Pillow (with pillow-heif for HEIC/HEIF; AVIF is built into Pillow).
IMAGE_EXTENSIONS = frozenset(
    ".jpg .jpeg .jpe .jfif .png .tif .tiff .webp .heic .heif .hif .avif".split()
)
# Camera RAW: indexed through the JPEG preview embedded in the file.
RAW_EXTENSIONS = frozenset(
    ".dng .cr2 .cr3 .crw .nef .nrw .arw .srf .sr2 .orf .rw2 .raf .pef .srw .3fr .erf .kdc "
    ".mrw .x3f .iiq .rwl .mef .mos".split()
)
# Pictures we recognise but cannot decode: recorded as unsupported, not silently dropped.
UNSUPPORTED_EXTENSIONS = frozenset(".jxl .jp2 .j2k .psd .psb .exr .bmp .gif .svg .xcf".split())
# Sidecars and system litter: not photographs, not errors.
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "icon\r"})
IGNORED_DIRS = frozenset({"@eadir", "__macosx", "$recycle.bin", "system volume information"})


@dataclass(frozen=True)
class Candidate:
    path: str  # absolute
    size: int
    mtime_ns: int
    kind: str  # "image" | "raw" | "unsupported"


def kind_of(name: str) -> str | None:
    ext = os.path.splitext(name)[1].lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in RAW_EXTENSIONS:
        return "raw"
    if ext in UNSUPPORTED_EXTENSIONS:
        return "unsupported"
    return None


def scan(root: Path) -> Iterator[Candidate]:
    """Photographs under `root` (or `root` itself), in sorted path order so that
    every run meets them in the same order. Hidden entries are skipped."""
    root = root.expanduser().resolve()
    if root.is_file():
        entry = _candidate(str(root), root.name, root.stat())
        if entry:
            yield entry
        return
    yield from _walk(str(root))


def _walk(top: str) -> Iterator[Candidate]:
    """Depth first in name order, with a stack of its own: a folder a thousand levels
    deep is walked like any other."""
    stack = [iter(_entries(top))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        name = entry.name
        if name.startswith(".") or name.lower() in IGNORED_NAMES:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if name.lower() not in IGNORED_DIRS:
                    stack.append(iter(_entries(entry.path)))
            elif entry.is_file():
                found = _candidate(entry.path, name, entry.stat())
                if found:
                    yield found
        except OSError:
            continue


def _entries(folder: str) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []  # an unreadable folder holds nothing we can index


def printable(path: str) -> str:
    """A path as a person can read it anywhere: bytes that are not UTF-8 shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _candidate(path: str, name: str, st: os.stat_result) -> Candidate | None:
    kind = kind_of(name)
    if kind is None:
        return None
    return Candidate(path, st.st_size, st.st_mtime_ns, kind)
