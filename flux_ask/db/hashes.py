"""Each photo's 64-bit perceptual hash, of its grid thumbnail."""

from __future__ import annotations

from collections.abc import Iterable

import apsw
import numpy as np

from flux_ask.db.sql import FIRST_READABLE_PATH, path_out


UPSERT_HASH = ("INSERT INTO photo_hashes (photo_id, phash) VALUES (?, ?) "
               "ON CONFLICT(photo_id) DO UPDATE SET phash = excluded.phash")


def store_hash(conn: apsw.Connection, photo_id: int, phash: int) -> None:
    conn.execute(UPSERT_HASH, (photo_id, phash))


def store_hashes(conn: apsw.Connection, pairs: Iterable[tuple[int, int]]) -> None:
    with conn:
        conn.executemany(UPSERT_HASH, pairs)


def photos_without_hash(conn: apsw.Connection) -> list[tuple[int, str, str]]:
    """(photo_id, sha256, a readable path) of photos catalogued before hashes were kept."""
    return [(photo_id, sha, path_out(path)) for photo_id, sha, path in conn.execute(
        "SELECT id, sha256, path FROM (SELECT p.id, p.sha256, "
        f"  {FIRST_READABLE_PATH} AS path "
        "  FROM photos p WHERE NOT EXISTS (SELECT 1 FROM photo_hashes h WHERE h.photo_id = p.id)) "
        "AS unhashed WHERE path IS NOT NULL ORDER BY id"
    )]


def all_hashes(conn: apsw.Connection) -> tuple[np.ndarray, np.ndarray]:
    """(photo ids, hashes) of every hashed photo with a readable file."""
    rows = conn.execute(
        "SELECT h.photo_id, h.phash FROM photo_hashes h WHERE EXISTS "
        "(SELECT 1 FROM files f WHERE f.photo_id = h.photo_id AND f.state = 'ok')"
    ).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    return ids, np.array([r[1] for r in rows], dtype=np.int64)
