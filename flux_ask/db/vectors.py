"""Embeddings and their vectors, in sqlite-vec's vec0 tables or pgvector's, and the repair
of the two SQLite files after a kill.

No text is ever spliced into SQL except table names made here from integer ids."""

from __future__ import annotations

from collections.abc import Iterator

import apsw
import numpy as np

from flux_ask.db.postgres import is_postgres
from flux_ask.db.rows import ModelRow
from flux_ask.db.runs import close_dead_runs
from flux_ask.db.sql import FIRST_READABLE_PATH, now_iso, path_out
from flux_ask.errors import ModelMismatch

PLAIN_DIMS = 1536  # a vector of up to this many float32 fits in a PostgreSQL page beside its row


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
    vector = np.ascontiguousarray(vector, dtype=np.float32)
    if is_postgres(conn):
        conn.execute(f"INSERT INTO vec.{model.vec_table} (rowid, embedding) VALUES (?, ?) "
                     "ON CONFLICT (rowid) DO UPDATE SET embedding = excluded.embedding", (embedding_id, vector))
    else:
        conn.execute(f"DELETE FROM vec.{model.vec_table} WHERE rowid = ?", (embedding_id,))
        conn.execute(f"INSERT INTO vec.{model.vec_table} (rowid, embedding) VALUES (?, ?)",
                     (embedding_id, vector.tobytes()))
    conn.execute(
        "UPDATE photos SET embedding_id = ?, embedded_at = ? WHERE id = ?",
        (embedding_id, stamp, photo_id),
    )
    return embedding_id


def photos_to_embed(conn: apsw.Connection, limit: int | None = None) -> list[tuple[str, str]]:
    """(path, sha256) of catalogued photos without a vector under the active model,
    each with one readable file."""
    return [(path_out(path), sha) for path, sha in conn.execute(
        "SELECT path, sha256 FROM (SELECT p.id, p.sha256, "
        f"  {FIRST_READABLE_PATH} AS path "
        "  FROM photos p WHERE p.embedding_id IS NULL) AS unembedded WHERE path IS NOT NULL ORDER BY id LIMIT ?",
        (2**62 if limit is None else limit,),
    )]


def vectors_by_content(conn: apsw.Connection, model: ModelRow) -> Iterator[tuple[str, np.ndarray]]:
    """(sha256, vector) of every photo embedded under `model`, by content."""
    for sha, blob in conn.execute(
        f"SELECT p.sha256, v.embedding FROM embeddings e JOIN photos p ON p.id = e.photo_id "
        f"JOIN vec.{model.vec_table} v ON v.rowid = e.id WHERE e.model_id = ? ORDER BY p.sha256",
        (model.id,),
    ):
        yield sha, blob.to_numpy() if is_postgres(conn) else np.frombuffer(blob, dtype=np.float32)


def model_vectors(conn: apsw.Connection, model: ModelRow) -> tuple[np.ndarray, np.ndarray]:
    """(embedding ids, N x dim float32) of every vector in the model's vec0 table.

    vec0 hands out one vector per call, ~200 us each (80 s for 400,000), so this reads
    its storage whole: chunks of vectors with their rowids and a validity bitmap
    (sqlite-vec's documented shadow tables, pinned in pyproject). A spot check against
    vec0 itself guards the reading; should it ever disagree, vec0 is read row by row.
    pgvector's table is read in one binary pass."""
    if is_postgres(conn):
        return _pgvector_matrix(conn, model)
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


def _pgvector_matrix(conn, model: ModelRow) -> tuple[np.ndarray, np.ndarray]:
    with conn.raw.cursor(binary=True) as cursor:
        return _stacked(cursor.execute(f"SELECT rowid, embedding FROM vec.{model.vec_table} ORDER BY rowid"),
                        model.dim)


def _stacked(rows, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(embedding ids, N x dim float32) of (rowid, pgvector) rows."""
    ids, vectors = [], []
    for rowid, vector in rows:
        ids.append(rowid)
        vectors.append(vector.to_numpy())
    matrix = np.stack(vectors).astype(np.float32, copy=False) if vectors else np.zeros((0, dim), np.float32)
    return np.array(ids, np.int64), matrix


def server_scores(conn, model: ModelRow, query: np.ndarray,
                  ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(embedding ids, their vectors' inner products with `query`), computed in the
    PostgreSQL server for `ids` (every vector when None); in no particular order."""
    where, params = ("", (query,)) if ids is None else (" WHERE rowid = ANY(%s::bigint[])", (query, _id_array(ids)))
    with conn.raw.cursor(binary=True) as cursor:  # two arrays in one row: no tuple per photo
        found, products = cursor.execute(
            f"SELECT coalesce(array_agg(rowid), '{{}}'), coalesce(array_agg((embedding <#> %s)::float4), '{{}}') "
            f"FROM vec.{model.vec_table}{where}", params).fetchone()
    return np.array(found, np.int64), -np.array(products, np.float32)  # <#> is the negated product


def server_vectors(conn, model: ModelRow, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(embedding ids, N x dim float32) of the vectors `ids` names, from the PostgreSQL server."""
    with conn.raw.cursor(binary=True) as cursor:
        return _stacked(cursor.execute(
            f"SELECT rowid, embedding FROM vec.{model.vec_table} WHERE rowid = ANY(%s::bigint[])", (_id_array(ids),)),
            model.dim)


def _id_array(ids: np.ndarray) -> str:
    """Integer ids as one array literal, bound as a parameter: the driver's list dumper
    checks each element in Python, and sends a numpy array as a vector."""
    return "{" + ",".join(map(str, np.asarray(ids, np.int64).tolist())) + "}"


def server_vector_batches(conn, model: ModelRow, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every vector of the model, `size` at a time, read through a cursor in the server:
    the searching process never holds them all."""
    with conn.raw.transaction(), conn.raw.cursor(name="vector_batches", binary=True) as cursor:
        cursor.execute(f"SELECT rowid, embedding FROM vec.{model.vec_table}")  # a named cursor sends rows
        while batch := cursor.fetchmany(size):  # as they are fetched, and lives in a transaction
            yield _stacked(batch, model.dim)


def server_mean(conn, model: ModelRow) -> np.ndarray:
    """The mean of the model's vectors, worked out by the server."""
    (mean,) = conn.execute(f"SELECT avg(embedding) FROM vec.{model.vec_table}").fetchone()
    return np.zeros(model.dim, np.float32) if mean is None else mean.to_numpy().astype(np.float32)


def _agrees_with_vec0(conn: apsw.Connection, model: ModelRow, ids: np.ndarray, matrix: np.ndarray) -> bool:
    (count,) = conn.execute(f"SELECT count(*) FROM vec.{model.vec_table}_rowids").fetchone()
    if count != len(ids) or len(np.unique(ids)) != len(ids):
        return False
    for i in {0, len(ids) // 2, len(ids) - 1} if len(ids) else ():
        row = conn.execute(f"SELECT embedding FROM vec.{model.vec_table} WHERE rowid = ?", (int(ids[i]),)).fetchone()
        if row is None or not np.array_equal(np.frombuffer(row[0], np.float32), matrix[i]):
            return False
    return True


def reconcile(conn: apsw.Connection, *, always: bool = False, check: bool = True) -> dict[str, int]:
    """Repair what an unfinished run (killed, failed, out of disk) or a lost vector file
    can leave between the two database files.

    WAL commits each attached file on its own, so a kill can land one side of a
    batch: vectors without their embedding row (deleted), or embedding rows
    without their vector (dropped, so the photo is embedded again). A vectors.db
    that was deleted, or lost its WAL, is the same thing on a larger scale; `check`
    counts both sides to find it (a watch loop does so once, not for every photo)."""
    repaired = {"orphan_vectors": 0, "lost_vectors": 0}
    if is_postgres(conn):  # one database: a batch lands whole or not at all
        close_dead_runs(conn)
        return repaired
    unrepaired = conn.execute("SELECT 1 FROM runs WHERE repaired_at IS NULL AND status != 'done'").fetchone()
    if not (always or unrepaired or (check and vector_problems(conn))):
        return repaired  # every run ended cleanly and the files agree: nothing to repair
    models = [ModelRow(*r) for r in conn.execute("SELECT id, name, pretrained, dim, vec_table FROM models")]
    with conn:
        for model in models:
            create_vec_table(conn, model)  # gone with a deleted vectors.db: its vectors are lost
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
        conn.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        conn.execute("UPDATE runs SET repaired_at = ? WHERE repaired_at IS NULL", (now_iso(),))
    return repaired


def create_vec_table(conn: apsw.Connection, model: ModelRow) -> None:
    if is_postgres(conn):
        conn.execute(f"CREATE TABLE IF NOT EXISTS vec.{model.vec_table} "
                     f"(rowid bigint PRIMARY KEY, embedding vector({int(model.dim)}) NOT NULL)")
        if model.dim <= PLAIN_DIMS:  # kept in the row, not in TOAST: rescoring a shortlist reads half the pages
            conn.execute(f"ALTER TABLE vec.{model.vec_table} ALTER COLUMN embedding SET STORAGE PLAIN")
        return
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS vec.{model.vec_table} "
        f"USING vec0(embedding float[{int(model.dim)}] distance_metric=cosine)"
    )


def vector_problems(conn: apsw.Connection) -> list[str]:
    """What disagrees between the catalog and the vector file, model by model, in
    words; cheap enough for every open (two counts per model)."""
    problems = []
    for model_id, name, pretrained, dim, table, embedded in conn.execute(
        "SELECT m.id, m.name, m.pretrained, m.dim, m.vec_table, count(e.id) FROM models m "
        "JOIN embeddings e ON e.model_id = m.id GROUP BY m.id"
    ).fetchall():
        label = ModelRow(model_id, name, pretrained, dim, table).label
        if is_postgres(conn):  # the vectors commit with their rows: only a dropped table can lose them
            if not conn.execute("SELECT to_regclass(?) IS NOT NULL", (f"vec.{table}",)).fetchone()[0]:
                problems.append(f"the {embedded:,} vectors of {label} are gone")
            continue
        if not conn.execute("SELECT 1 FROM vec.sqlite_master WHERE name = ?", (f"{table}_rowids",)).fetchone():
            problems.append(f"the {embedded:,} vectors of {label} are gone")
            continue
        (stored,) = conn.execute(f"SELECT count(*) FROM vec.{table}_rowids").fetchone()
        if stored != embedded:
            problems.append(f"{label} has {stored:,} vectors for {embedded:,} embedded photos")
    return problems
