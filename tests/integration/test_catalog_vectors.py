"""Reading a model's vectors whole, from sqlite-vec's storage, agrees with vec0 row by row:
after replacements and deletions too, and for several chunks."""

import numpy as np
import pytest

from flux_ask.archive.home import Archive
from flux_ask.db import vectors as vector_store
from flux_ask.db.models import register_model
from flux_ask.db.photos import insert_photo
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
