"""Where the searching process finds the active model's vectors, row for row with the
matrix: in its own memory (the SQLite catalog's, mapped from the cache), or in the
PostgreSQL server, which holds them once for every machine and scores them where
they lie, so that a searching process holds none (3 KB a photo at 768-d).

Both answer the same two questions: the scores of some rows against a query, and
the vectors of some rows.
"""

from __future__ import annotations

import numpy as np

from flux_ask.db.rows import ModelRow
from flux_ask.db.vectors import server_scores, server_vectors
from flux_ask.errors import FluxAskError

Rows = slice | np.ndarray | None  # None: every row


class InMemory:
    exact_rows = 60_000  # up to this many candidates every score is computed (~15 ms at 768-d)

    def __init__(self, array: np.ndarray):
        self.array = array  # float32, N x dim, unit rows (possibly memory-mapped)

    def __len__(self) -> int:
        return len(self.array)

    def score(self, query: np.ndarray, rows: Rows = None) -> np.ndarray:
        return (self.array if rows is None else self.array[rows]) @ query

    def take(self, rows: slice | np.ndarray) -> np.ndarray:
        return np.asarray(self.array[rows])


class InServer:
    # the server scores ~130 of its rows a millisecond (fetched by key, 768-d, 2 cores):
    # past a shortlist's size the sketch picks which to score
    exact_rows = 4_000

    def __init__(self, conn, model: ModelRow, embedding_ids: np.ndarray):
        self.conn = conn
        self.model = model
        self.embedding_ids = embedding_ids  # int64, N: the server knows each row's vector by it

    def __len__(self) -> int:
        return len(self.embedding_ids)

    def score(self, query: np.ndarray, rows: Rows = None) -> np.ndarray:
        every = rows is None or (isinstance(rows, slice) and rows.indices(len(self)) == (0, len(self), 1))
        wanted = self.embedding_ids if rows is None else self.embedding_ids[rows]
        found, scores = server_scores(self.conn, self.model, np.asarray(query, np.float32),
                                      None if every else wanted)
        return _aligned(wanted, found, scores, -1.0)  # a vector gone since the matrix loaded scores lowest

    def take(self, rows: slice | np.ndarray) -> np.ndarray:
        wanted = self.embedding_ids[rows]
        found, vectors = server_vectors(self.conn, self.model, wanted)
        at = positions(wanted, found)
        if (at < 0).any():
            raise FluxAskError("a photo left the catalog while it was being searched: ask again")
        return vectors[at]


def positions(wanted: np.ndarray, found: np.ndarray) -> np.ndarray:
    """Where each of `wanted` is in `found` (-1 where it is not)."""
    if len(found) == 0:
        return np.full(len(wanted), -1, np.int64)
    order = np.argsort(found)
    at = np.minimum(np.searchsorted(found, wanted, sorter=order), len(found) - 1)
    return np.where(found[order[at]] == wanted, order[at], -1)


def _aligned(wanted: np.ndarray, found: np.ndarray, values: np.ndarray, missing: float) -> np.ndarray:
    at = positions(wanted, found)
    out = values[np.maximum(at, 0)] if len(values) else np.zeros(len(wanted), values.dtype)
    out[at < 0] = missing
    return out
