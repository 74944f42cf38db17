"""Reading a model's vectors whole, from sqlite-vec's storage, agrees with vec0 row by row:
after replacements and deletions too, and for several chunks. A matrix grown from an earlier
one is the matrix read whole."""

import time

import numpy as np
import pytest

from flux_ask.archive.home import Archive
from flux_ask.archive.matrix import VectorMatrix, _name
from flux_ask.archive.sketch import SignSketch
from flux_ask.db import vectors as vector_store
from flux_ask.db.files import mark_missing, record_file
from flux_ask.db.models import register_model
from flux_ask.db.photos import insert_photo
from flux_ask.db.postgres import is_postgres
from flux_ask.db.vectors import model_vectors, store_embedding


@pytest.mark.sqlite_only
def test_bulk_read_matches_vec0(settings, monkeypatch):
    checks = []
    agrees = vector_store._agrees_with_vec0
    monkeypatch.setattr(vector_store, "_agrees_with_vec0", lambda *a: checks.append(agrees(*a)) or checks[-1])
    conn = Archive(settings, create=True).conn
    model = register_model(conn, "tiny-test", "random-init-seed0", 32)
    rng = np.random.default_rng(0)
    with conn:
        for i in range(2500):  # more than two of vec0's 1024-vector chunks
            photo = insert_photo(conn, {"sha256": f"{i:064x}", "bytes": 1, "taken_at_source": "file_mtime"})
            store_embedding(conn, model, photo, rng.standard_normal(32).astype(np.float32))
        for photo in (3, 1500, 2500):  # re-embedded: deleted and inserted again
            store_embedding(conn, model, photo, np.full(32, photo, np.float32))
        conn.execute(f"DELETE FROM vec.{model.vec_table} WHERE rowid IN (10, 11, 2000)")
    ids, matrix = model_vectors(conn, model)
    expected = dict(conn.execute(f"SELECT rowid, embedding FROM vec.{model.vec_table}").fetchall())
    assert sorted(ids.tolist()) == sorted(expected) and len(ids) == 2497
    for row, vector in zip(ids, matrix, strict=True):
        assert np.array_equal(vector, np.frombuffer(expected[int(row)], np.float32))
    assert np.array_equal(matrix[ids.tolist().index(1500)], np.full(32, 1500, np.float32))
    assert checks == [True]  # read from storage, not by the row-by-row fallback


def test_empty_model(settings):
    conn = Archive(settings, create=True).conn
    model = register_model(conn, "tiny-test", "random-init-seed0", 32)
    ids, matrix = model_vectors(conn, model)
    assert ids.shape == (0,) and matrix.shape == (0, 32)


def _add_photos(conn, model, first: int, count: int, rng) -> None:
    with conn:
        for i in range(first, first + count):
            photo = insert_photo(conn, {"sha256": f"{i:064x}", "bytes": 1, "taken_at_source": "exif",
                                        "taken_at": f"20{10 + i % 13}-0{1 + i % 9}-1{i % 10}T12:00:00"})
            record_file(conn, f"/archive/{i}.jpg", photo_id=photo, size=1, mtime_ns=1, state="ok")
            vector = rng.standard_normal(32).astype(np.float32)
            store_embedding(conn, model, photo, vector / np.linalg.norm(vector))


def test_a_changed_catalog_grows_the_matrix_before_it(settings):
    """An indexer's batch (new photos, a photo embedded again, a file gone) moves the catalog's
    version. On PostgreSQL the next matrix keeps the earlier one's sketches of the vectors that
    did not change and reads only the rest; on SQLite it is read whole. Either way it is what
    reading everything would give."""
    conn = Archive(settings, create=True).conn
    model = register_model(conn, "tiny-test", "random-init-seed0", 32)
    rng = np.random.default_rng(1)
    _add_photos(conn, model, 0, 40, rng)
    earlier = VectorMatrix.load(conn, model, settings.cache_dir)
    assert earlier.mean_of == 40

    _add_photos(conn, model, 40, 3, rng)  # their days fall among the earlier photos'
    time.sleep(1.1)  # embedded again a second later: the stored time says the vector changed
    again = int(earlier.photo_ids[5])
    store_embedding(conn, model, again, np.full(32, 32 ** -0.5, np.float32))
    mark_missing(conn, ["/archive/7.jpg"])

    after = VectorMatrix.load(conn, model, settings.cache_dir)
    whole = VectorMatrix._from_catalog(conn, model, after.version)  # everything read again
    grown = is_postgres(conn)
    assert after.mean_of == (40 if grown else 42) and whole.mean_of == 42
    assert [p.name for p in settings.cache_dir.iterdir()] == [_name(model, after.version)]
    for column in ("photo_ids", "embedding_ids", "embedded_at", "days", "lat", "country"):
        assert np.array_equal(getattr(after, column), getattr(whole, column), equal_nan=column == "lat")
    vectors = whole.vectors.take(slice(0, len(whole)))
    assert np.allclose(vectors[after.row_of(again)], 32 ** -0.5)
    centre = earlier.sketch.mean if grown else whole.sketch.mean
    assert np.array_equal(after.sketch.words, SignSketch.blank(centre, 0).encode(vectors))
    query = vectors[11]
    assert np.array_equal(after.best(query, None, 5)[0], whole.best(query, None, 5)[0])
