"""What every table family shares: timestamps, and the bounds of the paths under a folder."""

from __future__ import annotations

from datetime import datetime, timezone


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def under(root: str) -> tuple[str, str]:
    """Bounds of the paths below `root`: every such path sorts between them."""
    prefix = root.rstrip("/") + "/"
    return prefix, prefix[:-1] + "0"  # '0' is the character after '/'
