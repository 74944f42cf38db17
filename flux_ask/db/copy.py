"""A catalog copied whole into another, SQLite to PostgreSQL or back: every table row by row
with its ids, and every model's vectors, so that nothing is embedded again.

Each batch commits on its own and every insert skips a row that is there already, so a
stopped copy resumes: each table starts again at the last key the destination holds.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from flux_ask.db.models import active_model
from flux_ask.db.postgres import is_postgres
from flux_ask.db.rows import ModelRow
from flux_ask.db.status import catalog_version
from flux_ask.db.vectors import create_vec_table, model_vectors
from flux_ask.errors import CatalogError

BATCH = 5_000
# Every table a catalog holds, parents before children, each with its key. Not copied:
# migrations and catalog_version, which each catalog keeps for itself.
TABLES = (
    ("photos", ("id",)), ("files", ("id",)), ("models", ("id",)), ("embeddings", ("id",)), ("runs", ("id",)),
    ("settings", ("key",)), ("geocode_cache", ("name",)), ("photo_hashes", ("photo_id",)),
    ("keeper_files", ("path",)), ("keeper_labels", ("photo_id",)), ("keeper_models", ("id",)),
    ("keeper_scores", ("photo_id",)), ("recipes", ("name",)), ("selection", ("photo_id",)),
    ("photo_keywords", ("photo_id", "keyword")),
)
COPIED_FROM = "copied_from"  # a settings key: the source catalog's uuid, so a copy can resume
OWN_ROWS = {"settings": f"key != '{COPIED_FROM}'"}  # what a catalog keeps of its own, never copied

Progress = Callable[[str, int, int], None]


def copy_catalog(source, target, progress: Progress | None = None) -> dict[str, int]:
    """Copy `source` into `target` (both open and migrated); returns rows copied per table,
    and vectors per model's table."""
    progress = progress or (lambda stage, done, total: None)
    _claim(source, target)
    copied: dict[str, int] = {}
    for table, key in TABLES:
        copied[table] = _copy_table(source, target, table, key, progress)
    for model in [ModelRow(*r) for r in source.execute("SELECT id, name, pretrained, dim, vec_table FROM models")]:
        copied[model.vec_table] = _copy_vectors(source, target, model, progress)
    if is_postgres(target):
        _move_identities_past_copied_ids(target)
    return copied


def _claim(source, target) -> None:
    """Into an empty catalog, or one this source's copy was stopped in; never over another."""
    uuid, _ = catalog_version(source)
    row = target.execute("SELECT value FROM settings WHERE key = ?", (COPIED_FROM,)).fetchone()
    if row is not None and row[0] == uuid:
        return
    if target.execute("SELECT 1 FROM photos LIMIT 1").fetchone() or row is not None:
        raise CatalogError("the destination already holds a catalog of its own: copy into an empty one")
    if uuid == catalog_version(target)[0]:
        raise CatalogError("the destination is the catalog itself")
    with target:
        target.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (COPIED_FROM, uuid))


def _copy_table(source, target, table: str, key: tuple[str, ...], progress: Progress) -> int:
    columns = [c for c in _columns(source, table) if c in set(_columns(target, table))]
    names, marks, order = ", ".join(columns), ", ".join("?" * len(columns)), ", ".join(key)
    insert = f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    own = OWN_ROWS.get(table, "TRUE")
    total = _count(source, table)
    # resume at the last first-key value the target holds (its rows again, skipped as there)
    (start,) = target.execute(f"SELECT max({key[0]}) FROM {table} WHERE {own}").fetchone()
    where, args = (f"{key[0]} >= ?", [start]) if start is not None else ("TRUE", [])
    at = [columns.index(c) for c in key]
    held = _count(target, table)  # what was there: rows sent again on a resume are no rows copied
    done = 0
    if start is not None:
        (done,) = source.execute(f"SELECT count(*) FROM {table} WHERE {own} AND {key[0]} < ?", (start,)).fetchone()
    while True:
        rows = source.execute(f"SELECT {names} FROM {table} WHERE {own} AND {where} ORDER BY {order} LIMIT ?",
                              (*args, BATCH)).fetchall()
        if not rows:
            break
        with target:
            target.executemany(insert, rows)
        done += len(rows)
        progress(table, min(done, total), total)
        last = [rows[-1][i] for i in at]
        where, args = f"({order}) > ({', '.join('?' * len(key))})", last
    return _count(target, table) - held


def _copy_vectors(source, target, model: ModelRow, progress: Progress) -> int:
    with target:
        create_vec_table(target, model)
    ids, matrix = model_vectors(source, model)
    order = np.argsort(ids)
    ids, matrix = ids[order], matrix[order]
    there, _ = model_vectors(target, model)
    if len(there):  # a resumed copy: what the target holds is skipped
        keep = ~np.isin(ids, there)
        ids, matrix = ids[keep], matrix[keep]
    total, done = len(ids) + len(there), len(there)
    for start in range(0, len(ids), BATCH):
        with target:
            _write_vectors(target, model, ids[start:start + BATCH], matrix[start:start + BATCH])
        done += len(ids[start:start + BATCH])
        progress(f"vectors of {model.name}", done, total)
    return len(ids)


def _write_vectors(target, model: ModelRow, ids: np.ndarray, vectors: np.ndarray) -> None:
    if is_postgres(target):  # COPY: a tenth of the time of row-by-row inserts
        with target.copy(f"COPY vec.{model.vec_table} (rowid, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "vector"])
            for rowid, vector in zip(ids.tolist(), vectors, strict=True):
                copy.write_row((rowid, vector))
        return
    target.executemany(f"INSERT INTO vec.{model.vec_table} (rowid, embedding) VALUES (?, ?)",
                       [(rowid, np.ascontiguousarray(v, np.float32).tobytes())
                        for rowid, v in zip(ids.tolist(), vectors, strict=True)])


def _vector_count(conn, model: ModelRow) -> int:
    table = f"vec.{model.vec_table}" if is_postgres(conn) else f"vec.{model.vec_table}_rowids"
    there = (conn.execute("SELECT to_regclass(?) IS NOT NULL", (table,)).fetchone()[0] if is_postgres(conn) else
             conn.execute("SELECT 1 FROM vec.sqlite_master WHERE name = ?", (f"{model.vec_table}_rowids",)).fetchone())
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] if there else 0


def _count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table} WHERE {OWN_ROWS.get(table, 'TRUE')}").fetchone()[0]


def _columns(conn, table: str) -> list[str]:
    if is_postgres(conn):
        return [name for (name,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", (table,))]
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def _move_identities_past_copied_ids(conn) -> None:
    """Rows copied with their ids leave PostgreSQL's id counters behind: the next photo
    catalogued would take an id that is there."""
    for table, key in TABLES:
        if key == ("id",):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                         f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")


def same_catalog(source, target) -> dict[str, tuple[int, int]]:
    """Rows per table on each side, where they differ (nothing when the copy is whole)."""
    differ = {}
    for table, _ in TABLES:
        a, b = _count(source, table), _count(target, table)
        if a != b:
            differ[table] = (a, b)
    model = active_model(source)
    if model is not None:
        a, b = _vector_count(source, model), _vector_count(target, model)
        if a != b:
            differ[model.vec_table] = (a, b)
    return differ
