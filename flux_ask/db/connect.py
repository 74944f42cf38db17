"""Open the catalog: the metadata database with the vector database attached as `vec`.

Python's own sqlite3 module cannot load extensions on many builds (Debian's
python.org builds, most macOS Pythons), so connections come from apsw, which
ships its own SQLite and loads sqlite-vec on every platform.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import apsw
import sqlite_vec

from flux_ask.db.postgres import connect_postgres, is_url
from flux_ask.errors import CatalogError

BUSY_TIMEOUT_MS = 10_000


def connect(db_path: Path, vec_path: Path, *, create: bool = True) -> apsw.Connection:
    """A connection in WAL mode, so the chat can search while an ingest writes; on a
    read-only disk (an archive home on a locked NAS share), a read-only one."""
    if not create and not db_path.exists():
        raise CatalogError(f"no catalog at {db_path}: run `flux-ask index FOLDER` first")
    if not create and not writable(db_path):
        return _read_only(db_path, vec_path)
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
    except apsw.Error as exc:
        raise CatalogError(f"cannot open the catalog {db_path}: {exc}") from exc
    try:
        # a vector file that is gone is reported by the consistency check, not refused here
        gone = not create and not vec_path.exists()
        conn.execute("ATTACH DATABASE ? AS vec", (":memory:" if gone else str(vec_path),))
        _configure(conn, "vec")
        conn.execute("SELECT count(*) FROM vec.sqlite_master").fetchone()
    except (apsw.CorruptError, apsw.NotADBError) as exc:
        conn.close()
        raise _damaged_or_foreign(vec_path, exc) from None
    except apsw.Error as exc:
        conn.close()
        raise CatalogError(f"cannot open the vector database {vec_path}: {exc}") from exc
    return conn


def writable(db_path: Path) -> bool:
    return os.access(db_path.parent, os.W_OK) and os.access(db_path, os.W_OK)


def _read_only(db_path: Path, vec_path: Path) -> apsw.Connection:
    """Immutable: a read-only disk cannot change under us, and SQLite then needs no -shm
    file (which it could not create) to read a WAL-mode database."""
    flags = apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI
    try:
        conn = apsw.Connection(f"{db_path.as_uri()}?immutable=1", flags=flags)
        conn.enable_load_extension(True)
        conn.load_extension(sqlite_vec.loadable_path())
        conn.enable_load_extension(False)
        vec = f"{vec_path.as_uri()}?immutable=1" if vec_path.exists() else ":memory:"
        conn.execute("ATTACH DATABASE ? AS vec", (vec,))
        conn.execute("SELECT count(*) FROM vec.sqlite_master").fetchone()
    except (apsw.CorruptError, apsw.NotADBError) as exc:
        raise _damaged_or_foreign(vec_path, exc) from None
    except apsw.Error as exc:
        raise CatalogError(f"cannot read the catalog {db_path}: {exc}") from exc
    return conn


class DamagedVectors(CatalogError):
    """vectors.db cannot be read at all (truncated, overwritten): everything else in the
    catalog is intact, and an index run embeds the photos again."""

    def __init__(self, path: Path, exc: Exception):
        super().__init__(f"the vector database {path} is damaged ({exc}): `flux-ask index FOLDER` sets it aside "
                         "and embeds the photos again; recipes, the basket and keeper labels are kept")
        self.path = path


SQLITE_HEADER = b"SQLite format 3\x00"


def _damaged_or_foreign(path: Path, exc: Exception) -> CatalogError:
    """A vector database that is damaged, to be set aside and made again; or a file that is no
    database at all (`--vec ~/notes.txt`), which is the user's and never moved."""
    try:
        with open(path, "rb") as f:
            ours = f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        ours = False
    if ours:
        return DamagedVectors(path, exc)
    return CatalogError(f"{path} is no vector database (not an SQLite file): flux-ask leaves it alone. Name "
                        "another file with --vec (or `vec` in config.toml); if it was the vector database, "
                        "overwritten, move it away and `flux-ask index FOLDER` makes it again")


def set_aside(path: Path) -> Path:
    """Move a damaged database file (and its WAL) out of the way, keeping it for a look."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return aside


def _configure(conn: apsw.Connection, schema: str) -> None:
    # WAL survives a killed process with every committed batch intact; NORMAL sync
    # only risks the last batch on power loss, which a rerun re-indexes.
    # Switching to WAL takes a write lock, so a reader must not ask while an ingest writes.
    if conn.execute(f"PRAGMA {schema}.journal_mode").fetchone()[0].lower() != "wal":
        conn.execute(f"PRAGMA {schema}.journal_mode=WAL")
    conn.execute(f"PRAGMA {schema}.synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")


def open_readonly(location: str):
    """A reader for worker processes: no extension, no writes. `location` is the SQLite
    catalog's file or a PostgreSQL catalog's URL."""
    if is_url(location):
        conn = connect_postgres(location, create=False)
        conn.execute("SET default_transaction_read_only = on")
        return conn
    conn = apsw.Connection(location, flags=apsw.SQLITE_OPEN_READONLY)
    conn.setbusytimeout(10_000)
    return conn


def open_elsewhere(location: str):
    """A catalog other than the archive's own, made when it is not there and brought up to
    date: a PostgreSQL URL, or a folder for the two SQLite files (catalog.db, vectors.db)."""
    from flux_ask.db.migrations import migrate  # migrations need the connection's kind, from here

    if is_url(location):
        conn = connect_postgres(location, create=True)
    else:
        folder = Path(location).expanduser()
        if folder.suffix == ".db" or (folder.exists() and not folder.is_dir()):
            raise CatalogError(f"{folder}: give a folder for catalog.db and vectors.db, or a postgresql:// URL")
        conn = connect(folder / "catalog.db", folder / "vectors.db", create=True)
    migrate(conn)
    return conn
