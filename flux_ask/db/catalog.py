"""The catalog's reads and writes. Every value is bound; no text is ever spliced into SQL
except table names this module makes itself from integer ids."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import apsw
import numpy as np

from flux_ask.errors import CatalogError, ModelMismatch

PHOTO_COLUMNS = (
    "sha256", "bytes", "format", "width", "height", "orientation",
    "taken_at", "taken_at_utc", "utc_offset_min", "taken_at_source", "utc_source",
    "lat", "lon", "altitude", "camera_make", "camera_model", "lens",
)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ModelRow:
    id: int
    name: str
    pretrained: str
    dim: int
    vec_table: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.pretrained}, {self.dim}-d)"


@dataclass(frozen=True)
class KnownFile:
    id: int
    photo_id: int | None
    size: int | None
    mtime_ns: int | None
    state: str


# -- models ---------------------------------------------------------------------------

def _model(row: tuple) -> ModelRow:
    return ModelRow(*row)


def find_model(conn: apsw.Connection, name: str, pretrained: str) -> ModelRow | None:
    row = conn.execute(
        "SELECT id, name, pretrained, dim, vec_table FROM models WHERE name = ? AND pretrained = ?",
        (name, pretrained),
    ).fetchone()
    return _model(row) if row else None


def register_model(conn: apsw.Connection, name: str, pretrained: str, dim: int) -> ModelRow:
    """The model's row and its own vec0 table, created on first use."""
    with conn:
        model = find_model(conn, name, pretrained)
        if model is None:
            (model_id,) = conn.execute(
                "INSERT INTO models (name, pretrained, dim, vec_table, created_at) "
                "VALUES (?, ?, ?, '', ?) RETURNING id",
                (name, pretrained, dim, now_iso()),
            ).fetchone()
            table = f"vec_m{int(model_id)}"
            conn.execute("UPDATE models SET vec_table = ? WHERE id = ?", (table, model_id))
            model = ModelRow(model_id, name, pretrained, dim, table)
        elif model.dim != dim:
            raise ModelMismatch(
                f"{name} ({pretrained}) was recorded with {model.dim}-d vectors but now gives {dim}-d"
            )
        conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS vec.{model.vec_table} "
            f"USING vec0(embedding float[{int(model.dim)}] distance_metric=cosine)"
        )
    return model


def active_model(conn: apsw.Connection) -> ModelRow | None:
    row = conn.execute(
        "SELECT m.id, m.name, m.pretrained, m.dim, m.vec_table FROM settings s "
        "JOIN models m ON m.id = CAST(s.value AS INTEGER) WHERE s.key = 'active_model_id'"
    ).fetchone()
    return _model(row) if row else None


def activate_model(conn: apsw.Connection, model: ModelRow) -> None:
    """Point every photo at its embedding under `model` (NULL where it has none yet).
    Switching back and forth re-embeds nothing and deletes nothing."""
    current = active_model(conn)
    if current is not None and current.id == model.id:
        return
    with conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('active_model_id', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(model.id),),
        )
        conn.execute(
            "UPDATE photos SET (embedding_id, embedded_at) = "
            "(SELECT e.id, e.embedded_at FROM embeddings e WHERE e.photo_id = photos.id AND e.model_id = ?)",
            (model.id,),
        )


# -- files and photos -----------------------------------------------------------------

def _under(root: str) -> tuple[str, str]:
    """Bounds of the paths below `root`: every such path sorts between them."""
    prefix = root.rstrip("/") + "/"
    return prefix, prefix[:-1] + "0"  # '0' is the character after '/'


def files_under(conn: apsw.Connection, root: str) -> dict[str, KnownFile]:
    low, high = _under(root)
    return {
        path: KnownFile(*rest)
        for path, *rest in conn.execute(
            "SELECT path, id, photo_id, size, mtime_ns, state FROM files WHERE path >= ? AND path < ?",
            (low, high),
        )
    }


def known_file(conn: apsw.Connection, path: str) -> KnownFile | None:
    row = conn.execute(
        "SELECT id, photo_id, size, mtime_ns, state FROM files WHERE path = ?", (path,)
    ).fetchone()
    return KnownFile(*row) if row else None


def photo_by_sha(conn: apsw.Connection, sha256: str) -> tuple[int, int | None] | None:
    """(photo_id, embedding_id) of the photo with this content, if catalogued."""
    return conn.execute(
        "SELECT id, embedding_id FROM photos WHERE sha256 = ?", (sha256,)
    ).fetchone()


def is_embedded(conn: apsw.Connection, sha256: str) -> bool:
    """Whether this content already has a vector under the active model."""
    return conn.execute(
        "SELECT 1 FROM photos WHERE sha256 = ? AND embedding_id IS NOT NULL", (sha256,)
    ).fetchone() is not None


def has_photos(conn: apsw.Connection) -> bool:
    return conn.execute("SELECT 1 FROM photos LIMIT 1").fetchone() is not None


def error_files(conn: apsw.Connection) -> list[dict[str, str]]:
    return [
        {"path": path, "reason": reason, "detail": detail}
        for path, reason, detail in conn.execute(
            "SELECT path, error_reason, error_detail FROM files WHERE state = 'error' ORDER BY path"
        )
    ]


def insert_photo(conn: apsw.Connection, columns: dict[str, Any]) -> int:
    unknown = set(columns) - set(PHOTO_COLUMNS)
    if unknown:
        raise CatalogError(f"not photo columns: {sorted(unknown)}")
    names = list(columns)
    sql = (
        f"INSERT INTO photos ({', '.join(names)}, added_at) "
        f"VALUES ({', '.join('?' * len(names))}, ?) RETURNING id"
    )
    (photo_id,) = conn.execute(sql, [columns[n] for n in names] + [now_iso()]).fetchone()
    return photo_id


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
) -> None:
    conn.execute(
        "INSERT INTO files (path, photo_id, size, mtime_ns, state, error_reason, error_detail, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
        "photo_id = excluded.photo_id, size = excluded.size, mtime_ns = excluded.mtime_ns, "
        "state = excluded.state, error_reason = excluded.error_reason, "
        "error_detail = excluded.error_detail, updated_at = excluded.updated_at",
        (path, photo_id, size, mtime_ns, state, reason, detail, now_iso()),
    )


def mark_missing(conn: apsw.Connection, paths: Iterable[str]) -> int:
    stamp = now_iso()
    count = 0
    with conn:
        for path in paths:
            conn.execute(
                "UPDATE files SET state = 'missing', updated_at = ? WHERE path = ? AND state != 'missing'",
                (stamp, path),
            )
            count += conn.changes()
    return count


# -- embeddings -----------------------------------------------------------------------

def store_embedding(conn: apsw.Connection, model: ModelRow, photo_id: int, vector: np.ndarray) -> int:
    """The vector in the model's vec0 table and the photo pointed at it, in the caller's transaction."""
    if vector.shape != (model.dim,):
        raise ModelMismatch(f"a {vector.shape} vector cannot go in {model.label}")
    stamp = now_iso()
    (embedding_id,) = conn.execute(
        "INSERT INTO embeddings (photo_id, model_id, embedded_at) VALUES (?, ?, ?) "
        "ON CONFLICT(photo_id, model_id) DO UPDATE SET embedded_at = excluded.embedded_at RETURNING id",
        (photo_id, model.id, stamp),
    ).fetchone()
    blob = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
    conn.execute(f"DELETE FROM vec.{model.vec_table} WHERE rowid = ?", (embedding_id,))
    conn.execute(
        f"INSERT INTO vec.{model.vec_table} (rowid, embedding) VALUES (?, ?)", (embedding_id, blob)
    )
    conn.execute(
        "UPDATE photos SET embedding_id = ?, embedded_at = ? WHERE id = ?",
        (embedding_id, stamp, photo_id),
    )
    return embedding_id


def photos_to_embed(conn: apsw.Connection, limit: int = -1) -> list[tuple[str, str]]:
    """(path, sha256) of catalogued photos without a vector under the active model,
    each with one readable file."""
    return conn.execute(
        "SELECT path, sha256 FROM (SELECT p.id, p.sha256, "
        "  (SELECT f.path FROM files f WHERE f.photo_id = p.id AND f.state = 'ok' ORDER BY f.path LIMIT 1) AS path "
        "  FROM photos p WHERE p.embedding_id IS NULL) WHERE path IS NOT NULL ORDER BY id LIMIT ?",
        (limit,),
    ).fetchall()


def vectors(conn: apsw.Connection, model: ModelRow) -> Iterator[tuple[str, np.ndarray]]:
    """(sha256, vector) of every photo embedded under `model`, by content."""
    for sha, blob in conn.execute(
        f"SELECT p.sha256, v.embedding FROM embeddings e JOIN photos p ON p.id = e.photo_id "
        f"JOIN vec.{model.vec_table} v ON v.rowid = e.id WHERE e.model_id = ? ORDER BY p.sha256",
        (model.id,),
    ):
        yield sha, np.frombuffer(blob, dtype=np.float32)


def reconcile(conn: apsw.Connection) -> dict[str, int]:
    """Repair what a killed run can leave between the two database files.

    WAL commits each attached file on its own, so a kill can land one side of a
    batch: vectors without their embedding row (deleted), or embedding rows
    without their vector (dropped, so the photo is embedded again)."""
    repaired = {"orphan_vectors": 0, "lost_vectors": 0}
    if not conn.execute("SELECT 1 FROM runs WHERE status = 'running'").fetchone():
        return repaired  # the last run ended cleanly: nothing to repair
    models = [_model(r) for r in conn.execute("SELECT id, name, pretrained, dim, vec_table FROM models")]
    with conn:
        for model in models:
            if not conn.execute(
                "SELECT 1 FROM vec.sqlite_master WHERE name = ?", (model.vec_table,)
            ).fetchone():
                continue
            conn.execute(
                f"DELETE FROM vec.{model.vec_table} WHERE rowid NOT IN "
                f"(SELECT id FROM embeddings WHERE model_id = ?)",
                (model.id,),
            )
            repaired["orphan_vectors"] += conn.changes()
            lost = [
                eid for (eid,) in conn.execute(
                    f"SELECT id FROM embeddings WHERE model_id = ? AND id NOT IN "
                    f"(SELECT rowid FROM vec.{model.vec_table})",
                    (model.id,),
                )
            ]
            for eid in lost:
                conn.execute(
                    "UPDATE photos SET embedding_id = NULL, embedded_at = NULL WHERE embedding_id = ?", (eid,)
                )
                conn.execute("DELETE FROM embeddings WHERE id = ?", (eid,))
            repaired["lost_vectors"] += len(lost)
        conn.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running'"
        )
    return repaired


# -- runs -----------------------------------------------------------------------------

RUN_COUNTERS = ("files_seen", "unchanged", "new_photos", "new_files", "embedded", "missing", "errors")


def start_run(conn: apsw.Connection, root: str, model: ModelRow | None) -> int:
    with conn:
        (run_id,) = conn.execute(
            "INSERT INTO runs (root, model_id, started_at, status) VALUES (?, ?, ?, 'running') RETURNING id",
            (root, model.id if model else None, now_iso()),
        ).fetchone()
    return run_id


def finish_run(
    conn: apsw.Connection, run_id: int, counts: dict[str, int], seconds: float, status: str = "done"
) -> None:
    embedded = counts.get("embedded", 0)
    with conn:
        conn.execute(
            "UPDATE runs SET ended_at = ?, status = ?, seconds = ?, rate = ?, "
            + ", ".join(f"{name} = ?" for name in RUN_COUNTERS)
            + " WHERE id = ?",
            (now_iso(), status, seconds, embedded / seconds if seconds > 0 else None,
             *(counts.get(name, 0) for name in RUN_COUNTERS), run_id),
        )


def set_run_model(conn: apsw.Connection, run_id: int, model: ModelRow) -> None:
    with conn:
        conn.execute("UPDATE runs SET model_id = ? WHERE id = ?", (model.id, run_id))


# -- status ---------------------------------------------------------------------------

def status(conn: apsw.Connection) -> dict[str, Any]:
    one = lambda sql, *args: conn.execute(sql, args).fetchone()[0]  # noqa: E731
    model = active_model(conn)
    report: dict[str, Any] = {
        "photos": one("SELECT count(*) FROM photos"),
        "embedded": one("SELECT count(*) FROM photos WHERE embedding_id IS NOT NULL"),
        "missing_photos": one(
            "SELECT count(*) FROM photos p WHERE NOT EXISTS "
            "(SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')"
        ),
        "files": one("SELECT count(*) FROM files WHERE state = 'ok'"),
        "missing_files": one("SELECT count(*) FROM files WHERE state = 'missing'"),
        "with_location": one("SELECT count(*) FROM photos WHERE lat IS NOT NULL"),
        "with_exif_date": one("SELECT count(*) FROM photos WHERE taken_at_source != 'file_mtime'"),
        "errors": dict(
            conn.execute(
                "SELECT error_reason, count(*) FROM files WHERE state = 'error' "
                "GROUP BY error_reason ORDER BY count(*) DESC, error_reason"
            ).fetchall()
        ),
        "model": None,
        "models": [],
        "last_run": None,
    }
    if model:
        report["model"] = {"name": model.name, "pretrained": model.pretrained, "dim": model.dim}
    for m_id, name, pretrained, dim, count in conn.execute(
        "SELECT m.id, m.name, m.pretrained, m.dim, count(e.id) FROM models m "
        "LEFT JOIN embeddings e ON e.model_id = m.id GROUP BY m.id ORDER BY m.id"
    ):
        report["models"].append(
            {"name": name, "pretrained": pretrained, "dim": dim, "vectors": count,
             "active": bool(model and model.id == m_id)}
        )
    run = conn.execute(
        "SELECT id, root, started_at, ended_at, status, seconds, rate, "
        + ", ".join(RUN_COUNTERS)
        + " FROM runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    if run:
        keys = ("id", "root", "started_at", "ended_at", "status", "seconds", "rate", *RUN_COUNTERS)
        report["last_run"] = dict(zip(keys, run))
    return report


def open_readonly(db_path: str) -> apsw.Connection:
    """A reader for worker processes: no extension, no writes."""
    conn = apsw.Connection(db_path, flags=apsw.SQLITE_OPEN_READONLY)
    conn.setbusytimeout(10_000)
    return conn


def integrity_ok(conn: apsw.Connection) -> bool:
    return all(
        conn.execute(f"PRAGMA {schema}.integrity_check").fetchone()[0] == "ok" for schema in ("main", "vec")
    )


# -- search ---------------------------------------------------------------------------

def searchable_photos(conn: apsw.Connection, model: ModelRow) -> list[tuple]:
    """(photo_id, embedding_id, taken_at or None when only the file time is known, lat, lon)
    of every photo with a vector under `model` and a readable file."""
    return conn.execute(
        "SELECT p.id, e.id, CASE WHEN p.taken_at_source = 'file_mtime' THEN NULL ELSE p.taken_at END, "
        "p.lat, p.lon FROM photos p JOIN embeddings e ON e.id = p.embedding_id WHERE e.model_id = ? AND EXISTS "
        "(SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')",
        (model.id,),
    ).fetchall()


def model_vectors(conn: apsw.Connection, model: ModelRow) -> tuple[np.ndarray, np.ndarray]:
    """(embedding ids, N x dim float32) of every vector in the model's vec0 table.

    vec0 hands out one vector per call, ~200 us each (80 s for 400,000), so this reads
    its storage whole: chunks of vectors with their rowids and a validity bitmap
    (sqlite-vec's documented shadow tables, pinned in pyproject). A spot check against
    vec0 itself guards the reading; should it ever disagree, vec0 is read row by row."""
    ids, blocks = [], []
    for chunk_id, size, validity, rowids in conn.execute(
        f"SELECT chunk_id, size, validity, rowids FROM vec.{model.vec_table}_chunks ORDER BY chunk_id"
    ):
        (blob,) = conn.execute(
            f"SELECT vectors FROM vec.{model.vec_table}_vector_chunks00 WHERE rowid = ?", (chunk_id,)
        ).fetchone()
        valid = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")[:size].astype(bool)
        ids.append(np.frombuffer(rowids, np.int64)[:size][valid])
        blocks.append(np.frombuffer(blob, np.float32).reshape(size, model.dim)[valid])
    embedding_ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, model.dim), np.float32)
    if _agrees_with_vec0(conn, model, embedding_ids, matrix):
        return embedding_ids, matrix
    pairs = conn.execute(f"SELECT rowid, embedding FROM vec.{model.vec_table}").fetchall()
    return (np.array([r for r, _ in pairs], np.int64),
            np.frombuffer(b"".join(b for _, b in pairs), np.float32).reshape(len(pairs), model.dim))


def _agrees_with_vec0(conn: apsw.Connection, model: ModelRow, ids: np.ndarray, matrix: np.ndarray) -> bool:
    (count,) = conn.execute(f"SELECT count(*) FROM vec.{model.vec_table}_rowids").fetchone()
    if count != len(ids) or len(np.unique(ids)) != len(ids):
        return False
    for i in {0, len(ids) // 2, len(ids) - 1} if len(ids) else ():
        row = conn.execute(f"SELECT embedding FROM vec.{model.vec_table} WHERE rowid = ?", (int(ids[i]),)).fetchone()
        if row is None or not np.array_equal(np.frombuffer(row[0], np.float32), matrix[i]):
            return False
    return True


def catalog_version(conn: apsw.Connection) -> tuple[str, int]:
    """(the catalog's uuid, a counter that moves whenever a photo, a file or an
    embedding changes: triggers count them)."""
    return conn.execute("SELECT uuid, version FROM catalog_version WHERE id = 1").fetchone()


def photo_details(conn: apsw.Connection, photo_ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in range(0, len(photo_ids), 500):
        ids = photo_ids[chunk:chunk + 500]
        marks = ", ".join("?" * len(ids))
        for row in conn.execute(
            f"SELECT p.id, p.sha256, p.taken_at, p.taken_at_source, p.lat, p.lon, p.width, p.height, "
            f"(SELECT f.path FROM files f WHERE f.photo_id = p.id AND f.state = 'ok' ORDER BY f.path LIMIT 1) "
            f"FROM photos p WHERE p.id IN ({marks})",
            ids,
        ):
            keys = ("photo_id", "sha256", "taken_at", "taken_at_source", "lat", "lon", "width", "height", "path")
            out[row[0]] = dict(zip(keys, row, strict=True))
    return out


def filtered_photos(
    conn: apsw.Connection,
    date_ranges: list[tuple[str, str]],
    box: tuple[float, float, float, float] | None,
) -> list[tuple[int, str | None, float | None, float | None]]:
    """(photo_id, taken_at, lat, lon) of photos with a readable file inside every given
    date range union and bounding box (lat_min, lat_max, lon_min, lon_max; lon_min >
    lon_max means the box crosses the antimeridian), in time order."""
    where, args = ["EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')"], []
    if date_ranges:
        where.append("p.taken_at_source != 'file_mtime'")
        where.append("(" + " OR ".join("(p.taken_at >= ? AND p.taken_at < ?)" for _ in date_ranges) + ")")
        for start, end_exclusive in date_ranges:
            args += [start, end_exclusive]
    if box is not None:
        lat_min, lat_max, lon_min, lon_max = box
        where.append("p.lat BETWEEN ? AND ?")
        args += [lat_min, lat_max]
        if lon_min <= lon_max:
            where.append("p.lon BETWEEN ? AND ?")
            args += [lon_min, lon_max]
        else:
            where.append("(p.lon >= ? OR p.lon <= ?)")
            args += [lon_min, lon_max]
    return conn.execute(
        f"SELECT p.id, p.taken_at, p.lat, p.lon FROM photos p WHERE {' AND '.join(where)} "
        f"ORDER BY p.taken_at, p.id",
        args,
    ).fetchall()


def count_lacking(conn: apsw.Connection) -> dict[str, int]:
    """Photos that date or place filters cannot see: no EXIF date, no GPS position."""
    no_date, no_place = conn.execute(
        "SELECT total(taken_at_source = 'file_mtime'), total(lat IS NULL) FROM photos p "
        "WHERE EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')"
    ).fetchone()
    return {"no_date": int(no_date), "no_location": int(no_place)}


# -- places ---------------------------------------------------------------------------

def cached_place(conn: apsw.Connection, name: str, misses_since: str) -> tuple | None:
    """(label, lat, lon, radius_m) for a name the geocoder found, (None,) * 4 for one it
    did not know after `misses_since`, or None if it was never asked (or asked too long ago)."""
    row = conn.execute(
        "SELECT label, lat, lon, radius_m, fetched_at FROM geocode_cache WHERE name = ?", (name,)
    ).fetchone()
    if row is None or (row[0] is None and row[4] < misses_since):
        return None
    return row[:4]


def cache_place(conn: apsw.Connection, name: str, found: tuple | None) -> None:
    label, lat, lon, radius_m = found or (None, None, None, None)
    with conn:
        conn.execute(
            "INSERT INTO geocode_cache (name, label, lat, lon, radius_m, fetched_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET label = excluded.label, lat = excluded.lat, lon = excluded.lon, "
            "radius_m = excluded.radius_m, fetched_at = excluded.fetched_at",
            (name, label, lat, lon, radius_m, now_iso()),
        )


PHOTO_RECORD = ("photo_id", "sha256", "bytes", "format", "width", "height", "orientation", "taken_at", "taken_at_utc",
                "taken_at_source", "lat", "lon", "altitude", "camera_make", "camera_model", "lens", "added_at")


def photo_record(conn: apsw.Connection, photo_id: int) -> dict[str, Any] | None:
    """Everything known of one photo, with all its files (readable ones first)."""
    row = conn.execute(f"SELECT id, {', '.join(PHOTO_RECORD[1:])} FROM photos WHERE id = ?", (photo_id,)).fetchone()
    if row is None:
        return None
    out = dict(zip(PHOTO_RECORD, row, strict=True))
    out["files"] = [{"path": p, "state": s} for p, s in conn.execute(
        "SELECT path, state FROM files WHERE photo_id = ? ORDER BY state != 'ok', path", (photo_id,))]
    return out
