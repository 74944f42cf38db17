"""Photos: one row per distinct content, with what its metadata says, and the reads that
search and the chat make of them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import apsw

from flux_ask.db.postgres import is_postgres
from flux_ask.db.rows import ModelRow, PhotoPoint
from flux_ask.db.sql import FIRST_READABLE_PATH, now_iso, path_out
from flux_ask.errors import CatalogError

PHOTO_COLUMNS = (
    "sha256", "bytes", "format", "width", "height", "orientation",
    "taken_at", "taken_at_utc", "utc_offset_min", "taken_at_source", "utc_source",
    "lat", "lon", "altitude", "camera_make", "camera_model", "lens",
    "focal_mm", "focal_35mm", "f_number", "exposure_s", "iso", "flash", "rating", "pick", "color_label",
    "title", "caption", "meta_version",
)
# What a metadata reader sets: every photo column but the content's own
FACT_COLUMNS = tuple(c for c in PHOTO_COLUMNS if c not in ("sha256", "bytes", "format", "width", "height"))


PHOTO_RECORD = ("photo_id", "sha256", "bytes", "format", "width", "height", "orientation", "taken_at", "taken_at_utc",
                "taken_at_source", "lat", "lon", "altitude", "camera_make", "camera_model", "lens", "added_at",
                "country_code", "country", "region", "locality")


def unplaced(conn: apsw.Connection, version: str) -> list[tuple[int, float, float]]:
    """(photo_id, lat, lon) of photos with a position that the atlas of `version` has not named."""
    return conn.execute(
        "SELECT id, lat, lon FROM photos WHERE lat IS NOT NULL AND place_version IS DISTINCT FROM ? ORDER BY id",
        (version,)).fetchall()


def set_places(conn: apsw.Connection, version: str,
               rows: list[tuple[int, str | None, str | None, str | None, str | None]]) -> None:
    """(photo_id, country_code, country, region, locality) as the atlas of `version` named them."""
    with conn:
        conn.executemany(
            "UPDATE photos SET country_code = ?, country = ?, region = ?, locality = ?, place_version = ? "
            "WHERE id = ?", [(cc, country, region, locality, version, pid)
                             for pid, cc, country, region, locality in rows])


def places_visited(conn: apsw.Connection) -> list[tuple]:
    """(country_code, country, region, locality, photos, first, last) for every named place; the
    dates are capture dates (a photo dated only by its file has none)."""
    return conn.execute(
        "SELECT country_code, min(country), region, locality, count(*), min(nullif(taken_at, file_date)), "
        "max(nullif(taken_at, file_date)) FROM (SELECT *, CASE WHEN taken_at_source = 'file_mtime' "
        "THEN taken_at END AS file_date FROM photos) p "
        "WHERE country_code IS NOT NULL AND EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id "
        "AND f.state = 'ok') GROUP BY country_code, region, locality ORDER BY 2, region, locality"
    ).fetchall()


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


def count_photos(conn: apsw.Connection) -> int:
    return conn.execute("SELECT count(*) FROM photos").fetchone()[0]


def has_photos(conn: apsw.Connection) -> bool:
    return conn.execute("SELECT 1 FROM photos LIMIT 1").fetchone() is not None


def insert_photo(conn: apsw.Connection, columns: dict[str, Any]) -> int:
    unknown = set(columns) - set(PHOTO_COLUMNS)
    if unknown:
        raise CatalogError(f"not photo columns: {sorted(unknown)}")
    names = list(columns)
    sql = (
        f"INSERT INTO photos ({', '.join(names)}, added_at) "
        f"VALUES ({', '.join('?' * len(names))}, ?) ON CONFLICT(sha256) DO NOTHING RETURNING id"
    )
    row = conn.execute(sql, [columns[n] for n in names] + [now_iso()]).fetchone()
    if row is None:  # another indexer of a shared catalog has just catalogued the same content
        row = conn.execute("SELECT id FROM photos WHERE sha256 = ?", (columns["sha256"],)).fetchone()
    return row[0]


def set_facts(conn: apsw.Connection, photo_id: int, columns: dict[str, Any], keywords: Iterable[str]) -> bool:
    """A photo's metadata read anew (a newer reader, a changed sidecar): its columns and
    keywords. Returns whether it turned out to lie otherwise than it was embedded: then its
    upright size is swapped and its vector forgotten, to be embedded again."""
    (before,) = conn.execute("SELECT orientation FROM photos WHERE id = ?", (photo_id,)).fetchone()
    names = [c for c in columns if c in FACT_COLUMNS]
    conn.execute(f"UPDATE photos SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
                 [columns[n] for n in names] + [photo_id])
    # a new time or position: named and placed in the sky again
    conn.execute("UPDATE photos SET place_version = NULL, sun_altitude = NULL, sun_azimuth = NULL WHERE id = ?",
                 (photo_id,))
    set_keywords(conn, photo_id, keywords)
    after = columns.get("orientation", before)
    if (before or 1) == after:
        return False
    if ((before or 1) >= 5) != (after >= 5):
        conn.execute("UPDATE photos SET width = height, height = width WHERE id = ?", (photo_id,))
    conn.execute("UPDATE photos SET embedding_id = NULL WHERE id = ?", (photo_id,))
    return True


def set_keywords(conn: apsw.Connection, photo_id: int, keywords: Iterable[str]) -> None:
    conn.execute("DELETE FROM photo_keywords WHERE photo_id = ?", (photo_id,))
    conn.executemany("INSERT INTO photo_keywords (photo_id, keyword) VALUES (?, ?) ON CONFLICT DO NOTHING",
                     [(photo_id, k) for k in keywords])


def stale_facts(conn: apsw.Connection, version: int) -> list[tuple[int, str]]:
    """(photo id, a readable file) of photos read by an older metadata reader."""
    return [(pid, path_out(path)) for pid, path in conn.execute(
        "SELECT p.id, MIN(f.path) FROM photos p JOIN files f ON f.photo_id = p.id AND f.state = 'ok' "
        "WHERE p.meta_version IS NULL OR p.meta_version < ? GROUP BY p.id", (version,))]


def without_sun(conn: apsw.Connection) -> list[tuple[int, str, float, float]]:
    """(photo id, UTC time, lat, lon) of photos with a time and a place but no sun yet."""
    return conn.execute(
        "SELECT id, taken_at_utc, lat, lon FROM photos WHERE sun_altitude IS NULL AND lat IS NOT NULL "
        "AND taken_at_utc IS NOT NULL AND taken_at_source != 'file_mtime'").fetchall()


def set_sun(conn: apsw.Connection, rows: Iterable[tuple[float, float, int]]) -> None:
    """(altitude, azimuth, photo id), in degrees."""
    with conn:
        conn.executemany("UPDATE photos SET sun_altitude = ?, sun_azimuth = ? WHERE id = ?", rows)


def searchable_photos(conn: apsw.Connection, model: ModelRow) -> list[tuple]:
    """(photo_id, embedding_id, taken_at or None when only the file time is known, lat, lon,
    country_code, region, embedded_at) of every photo with a vector under `model` and a
    readable file."""
    return conn.execute(
        "SELECT p.id, e.id, CASE WHEN p.taken_at_source = 'file_mtime' THEN NULL ELSE p.taken_at END, "
        "p.lat, p.lon, p.country_code, p.region, e.embedded_at "
        "FROM photos p JOIN embeddings e ON e.id = p.embedding_id "
        "WHERE e.model_id = ? AND EXISTS "
        "(SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')",
        (model.id,),
    ).fetchall()


def photo_details(conn: apsw.Connection, photo_ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in range(0, len(photo_ids), 500):
        ids = photo_ids[chunk:chunk + 500]
        marks = ", ".join("?" * len(ids))
        for row in conn.execute(
            f"SELECT p.id, p.sha256, p.taken_at, p.taken_at_source, p.lat, p.lon, p.width, p.height, "
            f"p.country, p.region, p.locality, {FIRST_READABLE_PATH} "
            f"FROM photos p WHERE p.id IN ({marks})",
            ids,
        ):
            keys = ("photo_id", "sha256", "taken_at", "taken_at_source", "lat", "lon", "width", "height",
                    "country", "region", "locality", "path")
            out[row[0]] = dict(zip(keys, row, strict=True))
            out[row[0]]["path"] = path_out(out[row[0]]["path"])
    return out


def filtered_photos(
    conn: apsw.Connection,
    date_ranges: list[tuple[str, str]],
    box: tuple[float, float, float, float] | None,
    excluded: list[tuple[str, str]] = (),
    weekdays: tuple[int, ...] = (),
    area: tuple[str, str | None] | None = None,
) -> list[PhotoPoint]:
    """Photos with a readable file inside every given
    date range union and bounding box (lat_min, lat_max, lon_min, lon_max; lon_min >
    lon_max means the box crosses the antimeridian), in time order; a photo dated only by its
    file has no date here."""
    where, args = ["EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')"], []
    if date_ranges:
        where.append("p.taken_at_source != 'file_mtime'")
        where.append("(" + " OR ".join("(p.taken_at >= ? AND p.taken_at < ?)" for _ in date_ranges) + ")")
        for start, end_exclusive in date_ranges:
            args += [start, end_exclusive]
    if weekdays:  # SQLite and PostgreSQL count from Sunday 0; the plan from Monday 0
        where.append("p.taken_at_source != 'file_mtime'")
        weekday = ("extract(dow FROM CAST(p.taken_at AS timestamp))" if is_postgres(conn)
                   else "strftime('%w', p.taken_at)")
        where.append(f"CAST({weekday} AS INTEGER) IN ({', '.join('?' * len(weekdays))})")
        args += [(d + 1) % 7 for d in weekdays]
    for start, end_exclusive in excluded:  # a photo dated only by its file is in no range: it stays
        where.append("NOT (p.taken_at_source != 'file_mtime' AND p.taken_at >= ? AND p.taken_at < ?)")
        args += [start, end_exclusive]
    if area is not None:  # "in Italy", "in Bavaria": where the atlas put the photo
        where.append("p.country_code = ?")
        args.append(area[0])
        if area[1] is not None:
            where.append("p.region = ?")
            args.append(area[1])
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
    return [PhotoPoint(*row) for row in conn.execute(
        "SELECT p.id, CASE WHEN p.taken_at_source = 'file_mtime' THEN NULL ELSE p.taken_at END, p.lat, p.lon, "
        f"p.country_code, p.region FROM photos p WHERE {' AND '.join(where)} "
        f"ORDER BY p.taken_at, p.id",
        args,
    )]


def photos_in_box(conn: apsw.Connection, box: tuple[float, float, float, float]) -> int:
    """How many photos lie in a box (lat_min, lat_max, lon_min, lon_max): the planner's evidence
    that a name is a place the photographer has been (the index on lat, lon answers it)."""
    lat_min, lat_max, lon_min, lon_max = box
    lon = "p.lon BETWEEN ? AND ?" if lon_min <= lon_max else "(p.lon >= ? OR p.lon <= ?)"
    return int(conn.execute(f"SELECT count(*) FROM photos p WHERE p.lat BETWEEN ? AND ? AND {lon}",
                            (lat_min, lat_max, lon_min, lon_max)).fetchone()[0])


def count_in_area(conn: apsw.Connection, country_code: str, region: str | None) -> int:
    """How many photos the atlas put in a country, or one of its regions."""
    if region is None:
        return int(conn.execute("SELECT count(*) FROM photos WHERE country_code = ?", (country_code,)).fetchone()[0])
    return int(conn.execute("SELECT count(*) FROM photos WHERE country_code = ? AND region = ?",
                            (country_code, region)).fetchone()[0])


def count_lacking(conn: apsw.Connection) -> dict[str, int]:
    """Photos that date or place filters cannot see: no EXIF date, no GPS position."""
    no_date, no_place = conn.execute(
        "SELECT count(*) FILTER (WHERE taken_at_source = 'file_mtime'), count(*) FILTER (WHERE lat IS NULL) "
        "FROM photos p "
        "WHERE EXISTS (SELECT 1 FROM files f WHERE f.photo_id = p.id AND f.state = 'ok')"
    ).fetchone()
    return {"no_date": int(no_date), "no_location": int(no_place)}


def photo_record(conn: apsw.Connection, photo_id: int) -> dict[str, Any] | None:
    """Everything known of one photo, with all its files (readable ones first)."""
    row = conn.execute(f"SELECT id, {', '.join(PHOTO_RECORD[1:])} FROM photos WHERE id = ?", (photo_id,)).fetchone()
    if row is None:
        return None
    out = dict(zip(PHOTO_RECORD, row, strict=True))
    out["files"] = [{"path": path_out(p), "state": s} for p, s in conn.execute(
        "SELECT path, state FROM files WHERE photo_id = ? ORDER BY state != 'ok', path", (photo_id,))]
    return out


def readable_photos(conn: apsw.Connection) -> list[tuple[str, str]]:
    """(sha256, path) of every photo with a readable file, one file each."""
    return [(sha, path_out(path)) for sha, path in conn.execute(
        "SELECT sha256, path FROM (SELECT p.sha256, "
        f"  {FIRST_READABLE_PATH} AS path "
        "  FROM photos p) AS readable WHERE path IS NOT NULL")]


# what "grouped by camera", "by lens" and "by place" group by: the catalog's columns, in words
GROUP_COLUMNS = {"camera": "p.camera_make, p.camera_model", "lens": "p.lens",
                 "place": "p.locality, p.country", "country": "p.country", "region": "p.region, p.country"}


def group_labels(conn: apsw.Connection, by: str) -> dict[int, str]:
    """Every photo's label for a grouping by a column ("Canon EOS R5", "Lund, Sweden"); photos
    whose files do not say are left out."""
    from flux_ask.db.facts import camera_name

    out: dict[int, str] = {}
    for photo_id, *values in conn.execute(f"SELECT p.id, {GROUP_COLUMNS[by]} FROM photos p"):
        if by == "camera":
            label = camera_name(*values) if any(values) else None
        else:
            label = ", ".join(v for v in values if v) if values[0] else None
        if label:
            out[photo_id] = label
    return out
