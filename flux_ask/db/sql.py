"""What every table family shares: timestamps, and the bounds of the paths under a folder."""

from __future__ import annotations

import re
from datetime import datetime, timezone


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# A photo's first readable file, as a column of a query over `photos p`
FIRST_READABLE_PATH = ("(SELECT f.path FROM files f WHERE f.photo_id = p.id AND f.state = 'ok' "
                       "ORDER BY f.path LIMIT 1)")


def under(root: str) -> tuple[str, str]:
    """Bounds of the paths below `root`: every such path sorts between them."""
    prefix = root.rstrip("/") + "/"
    return prefix, prefix[:-1] + "0"  # '0' is the character after '/'


# Paths are stored as text. A file name that is not valid UTF-8 (an old copy from another
# system: Python holds its bad bytes as lone surrogates, which SQLite text cannot) is
# stored escaped, behind a prefix no absolute path has: each bad byte as \xNN and each
# backslash doubled, so that the stored form reads back to exactly the same path.
ESCAPED = "bytes:"
_BAD_BYTE = re.compile(r"\\(\\|x[0-9a-f]{2})")


def path_in(path: str) -> str:
    """The stored form of a path."""
    if path.isascii() or not any(0xDC80 <= ord(c) <= 0xDCFF for c in path):
        return path
    return ESCAPED + "".join("\\\\" if c == "\\" else f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF
                             else c for c in path)


def path_out(stored: str | None) -> str | None:
    """The path a stored form stands for, as os.fsdecode would give it."""
    if stored is None or not stored.startswith(ESCAPED):
        return stored
    return _BAD_BYTE.sub(lambda m: "\\" if m.group(1) == "\\" else chr(0xDC00 + int(m.group(1)[1:], 16)),
                         stored[len(ESCAPED):])


def under_either(root: str) -> list[tuple[str, str]]:
    """Bounds of the stored paths below `root`: the escaped ones, and the plain ones
    unless `root` itself is escaped."""
    escaped = path_in(root + "\udcff")[:-len("\\xff")]  # `root` in escaped form
    return [under(escaped)] + ([under(root)] if path_in(root) == root else [])
