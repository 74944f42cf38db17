"""Open the catalog: the metadata database with the vector database attached as `vec`.

Python's own sqlite3 module cannot load extensions on many builds (Debian's
python.org builds, most macOS Pythons), so connections come from apsw, which
ships its own SQLite and loads sqlite-vec on every platform.
"""

from __future__ import annotations

from pathlib import Path

import apsw
import sqlite_vec

from flux_ask.errors import CatalogError

BUSY_TIMEOUT_MS = 10_000


def connect(db_path: Path, vec_path: Path, *, create: bool = True) -> apsw.Connection:
    """A connection in WAL mode, so the chat can search while an ingest writes."""
    if not create and not db_path.exists():
        raise CatalogError(f"no catalog at {db_path}: run `flux-ask index FOLDER` first")
    flags = apsw.SQLITE_OPEN_READWRITE | (apsw.SQLITE_OPEN_CREATE if create else 0)
    if create:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        vec_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = apsw.Connection(str(db_path), flags=flags)
        conn.setbusytimeout(BUSY_TIMEOUT_MS)
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        conn.enable_load_extension(False)
        _configure(conn, "main")
        conn.execute("ATTACH DATABASE ? AS vec", (str(vec_path),))
        _configure(conn, "vec")
    except apsw.Error as exc:
        raise CatalogError(f"cannot open the catalog at {db_path}: {exc}") from exc
    return conn


def _configure(conn: apsw.Connection, schema: str) -> None:
    # WAL survives a killed process with every committed batch intact; NORMAL sync
    # only risks the last batch on power loss, which a rerun re-indexes.
    # Switching to WAL takes a write lock, so a reader must not ask while an ingest writes.
    if conn.execute(f"PRAGMA {schema}.journal_mode").fetchone()[0].lower() != "wal":
        conn.execute(f"PRAGMA {schema}.journal_mode=WAL")
    conn.execute(f"PRAGMA {schema}.synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")


def open_readonly(db_path: str) -> apsw.Connection:
    """A reader for worker processes: no extension, no writes."""
    conn = apsw.Connection(db_path, flags=apsw.SQLITE_OPEN_READONLY)
    conn.setbusytimeout(10_000)
    return conn
