"""Files: one row per path, pointing at its photo, with its size, mtime and state."""

from __future__ import annotations

from collections.abc import Iterable

import apsw

from flux_ask.db.rows import KnownFile
from flux_ask.db.sql import now_iso, path_in, path_out, under_either


def files_under(conn: apsw.Connection, root: str) -> dict[str, KnownFile]:
    return {
        path_out(path): KnownFile(*rest)
        for low, high in under_either(root)
        for path, *rest in conn.execute(
            "SELECT path, id, photo_id, size, mtime_ns, state, error_reason, sidecar_mtime_ns FROM files "
            "WHERE path >= ? AND path < ?",
            (low, high),
        )
    }


def at_or_under(root: str) -> list[tuple[str, tuple]]:
    """(WHERE clause, its values) for the files rows at `root` or below it: a folder's files, or
    a file named itself."""
    return [("path >= ? AND path < ?", bounds) for bounds in under_either(root)] + [("path = ?", (path_in(root),))]


def files_counted_under(conn: apsw.Connection, root: str) -> int:
    """How many files the catalog holds under a folder (or the file itself)."""
    return sum(conn.execute(f"SELECT count(*) FROM files WHERE {where}", values).fetchone()[0]
               for where, values in at_or_under(root))


def known_file(conn: apsw.Connection, path: str) -> KnownFile | None:
    row = conn.execute(
        "SELECT id, photo_id, size, mtime_ns, state, error_reason, sidecar_mtime_ns FROM files WHERE path = ?",
        (path_in(path),)
    ).fetchone()
    return KnownFile(*row) if row else None


def error_files(conn: apsw.Connection) -> list[dict[str, str]]:
    return [
        {"path": path_out(path), "reason": reason, "detail": detail}
        for path, reason, detail in conn.execute(
            "SELECT path, error_reason, error_detail FROM files WHERE state = 'error' ORDER BY path"
        )
    ]


def record_file(
    conn: apsw.Connection,
    path: str,
    *,
    photo_id: int | None,
    size: int | None,
    mtime_ns: int | None,
    state: str,
    reason: str | None = None,
    detail: str | None = None,
    sidecar_mtime_ns: int | None = None,
) -> None:
    conn.execute(
        "INSERT INTO files (path, photo_id, size, mtime_ns, state, error_reason, error_detail, updated_at, "
        "sidecar_mtime_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
        "photo_id = excluded.photo_id, size = excluded.size, mtime_ns = excluded.mtime_ns, "
        "state = excluded.state, error_reason = excluded.error_reason, "
        "error_detail = excluded.error_detail, updated_at = excluded.updated_at, "
        "sidecar_mtime_ns = excluded.sidecar_mtime_ns",
        (path_in(path), photo_id, size, mtime_ns, state, reason, detail, now_iso(), sidecar_mtime_ns),
    )


def set_sidecar_stamp(conn: apsw.Connection, path: str, sidecar_mtime_ns: int | None) -> None:
    """The sidecar a file's metadata was last read with."""
    conn.execute("UPDATE files SET sidecar_mtime_ns = ? WHERE path = ?", (sidecar_mtime_ns, path_in(path)))


def mark_missing(conn: apsw.Connection, paths: Iterable[str]) -> int:
    stamp = now_iso()
    count = 0
    with conn:
        for path in paths:
            conn.execute(
                "UPDATE files SET state = 'missing', updated_at = ? WHERE path = ? AND state != 'missing'",
                (stamp, path_in(path)),
            )
            count += conn.changes()
    return count
