"""Walk a folder tree and say which files are photographs."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flux_ask.words import visible

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
NOT_A_FILE = "not_a_file"  # a name of a photo on something no regular file: never opened (a FIFO would block)
UNLISTED = "unlisted_folder"  # a folder that could not be listed: what it held is unknown, not gone
BIG_SIDECAR = "big_sidecar"  # a sidecar past MAX_SIDECAR_BYTES: its photo is catalogued without it
MAX_SIDECAR_BYTES = 8 << 20  # darktable's longest edit histories are ~1 MB; past this it is no sidecar
NOT_PHOTOS = frozenset({"lonely_sidecar", BIG_SIDECAR, UNLISTED})  # said in a run's report, never opened as photos
# System litter, and the contact sheet flux-ask draws in each drafted issue: not photographs, not errors.
CONTACT_SHEET = "contact_sheet.jpg"
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "icon\r", CONTACT_SHEET})
IGNORED_DIRS = frozenset({"@eadir", "__macosx", "$recycle.bin", "system volume information"})


@dataclass(frozen=True)
class Candidate:
    path: str  # absolute
    size: int
    mtime_ns: int
    kind: str  # "image" | "raw" | "unsupported"; "lonely_sidecar" for an .xmp beside no photo; NOT_A_FILE; UNLISTED
    sidecar: str | None = None  # the photographer's edits beside it: NAME.EXT.xmp or NAME.xmp
    sidecar_mtime_ns: int | None = None
    error: OSError | None = None  # why an UNLISTED folder could not be listed


SIDECAR_EXTENSION = ".xmp"


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
        yield from candidates([str(root)])
        return
    yield from _walk(str(root))


def _walk(top: str) -> Iterator[Candidate]:
    """Depth first in name order, with a stack of its own: a folder a thousand levels
    deep is walked like any other. Each folder's sidecars are matched to its photos; a
    folder that cannot be listed is named (UNLISTED), its photos not taken for gone."""
    stack = [_folder(top)]
    while stack:
        if isinstance(stack[-1], Candidate):
            yield stack.pop()
            continue
        entries, sidecars, claimed = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            for key, lonely in sidecars.items():  # beside no photo: said, never indexed
                if key not in claimed:
                    yield Candidate(lonely.path, 0, 0, "lonely_sidecar")
            continue
        name = entry.name
        if name.startswith(".") or name.lower() in IGNORED_NAMES:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                if name.lower() not in IGNORED_DIRS:
                    stack.append(_folder(entry.path))
            elif entry.is_file():
                found = _candidate(entry.path, name, entry.stat())
                if found:
                    yield from _with_sidecar(found, name, sidecars, claimed)
            elif kind_of(name):  # a FIFO, a device, a link that leads nowhere: named as a photo, recorded
                yield Candidate(entry.path, 0, 0, NOT_A_FILE)
        except OSError:  # a link in a loop, among others
            if kind_of(name):
                yield Candidate(entry.path, 0, 0, NOT_A_FILE)


def candidates(paths: list[str]) -> list[Candidate]:
    """Files as candidates with their sidecars, each folder listed once; those gone or no
    photographs left out."""
    out, folders = [], {}
    for path in paths:
        name, folder = os.path.basename(path), os.path.dirname(path)
        try:
            entry = _candidate(path, name, os.stat(path))
        except OSError:
            continue
        if entry is not None:
            if folder not in folders:
                listed = _folder(folder)
                folders[folder] = {} if isinstance(listed, Candidate) else listed[1]  # no sidecar to be seen
            out += _with_sidecar(entry, name, folders[folder], set())
    return out


def _folder(path: str) -> tuple[Iterator[os.DirEntry], dict[str, os.DirEntry], set[str]] | Candidate:
    """A folder's entries, its sidecars by lower-case name, and those a photo claimed; or, where
    it cannot be listed, an UNLISTED candidate that says why."""
    try:
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return Candidate(path, 0, 0, UNLISTED, error=exc)
    sidecars = {e.name.lower(): e for e in entries if e.name.lower().endswith(SIDECAR_EXTENSION)
                and not e.name.startswith(".")}
    return iter(entries), sidecars, set()


def _with_sidecar(found: Candidate, name: str, sidecars: dict[str, os.DirEntry],
                  claimed: set[str]) -> list[Candidate]:
    """The photo with its sidecar, NAME.EXT.xmp (darktable, digiKam) before NAME.xmp (Lightroom,
    Capture One, which a RAW and its JPEG share); and a sidecar too big to read, to be said."""
    low = name.lower()
    for key in (low + SIDECAR_EXTENSION, os.path.splitext(low)[0] + SIDECAR_EXTENSION):
        entry = sidecars.get(key)
        if entry is not None:
            try:
                st = entry.stat()
            except OSError:
                continue
            claimed.add(key)
            if st.st_size > MAX_SIDECAR_BYTES:
                return [found, Candidate(entry.path, st.st_size, st.st_mtime_ns, BIG_SIDECAR)]
            return [Candidate(found.path, found.size, found.mtime_ns, found.kind, entry.path, st.st_mtime_ns)]
    return [found]


def what_it_is(path: str) -> str:
    """What stands at a path that is named as a photo and is no regular file, looked at
    without opening it."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror})"
    if stat.S_ISLNK(mode):
        return "a symbolic link that leads nowhere, or round in a loop"
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"))
    return next((said for test, said in kinds if test(mode)), "no regular file")


def printable(path: str) -> str:
    """A path as a person can read it anywhere: bytes that are not UTF-8, and control
    characters a terminal would obey, shown as \\xNN."""
    return visible(os.fsencode(path).decode("utf-8", "backslashreplace"))


def _candidate(path: str, name: str, st: os.stat_result) -> Candidate | None:
    kind = kind_of(name)
    if kind is None:
        return None
    return Candidate(path, st.st_size, st.st_mtime_ns, kind)
