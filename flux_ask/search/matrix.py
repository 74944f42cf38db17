"""The active model's vectors in memory, sorted by capture time, with their dates and
positions: a date range is a contiguous slice, so exact search over it needs no copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import apsw
import numpy as np

from flux_ask.db import catalog

EPOCH = date(1970, 1, 1).toordinal()
UNDATED = np.inf  # sorts after every date


@dataclass
class VectorMatrix:
    model: catalog.ModelRow
    signature: tuple
    photo_ids: np.ndarray  # int64, N
    vectors: np.ndarray  # float32, N x dim, unit rows
    days: np.ndarray  # float64 days since 1970 (local capture time); inf when undated
    lat: np.ndarray  # float64, NaN when unknown
    lon: np.ndarray

    @classmethod
    def load(cls, conn: apsw.Connection, model: catalog.ModelRow) -> VectorMatrix:
        signature = catalog.embedding_signature(conn, model)
        ids, days, lats, lons, blobs = [], [], [], [], []
        for photo_id, taken_at, lat, lon, blob in catalog.embedded_rows(conn, model):
            ids.append(photo_id)
            days.append(day_number(taken_at) if taken_at else UNDATED)
            lats.append(np.nan if lat is None else lat)
            lons.append(np.nan if lon is None else lon)
            blobs.append(blob)
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), model.dim) \
            if ids else np.zeros((0, model.dim), np.float32)
        order = np.argsort(np.asarray(days, dtype=np.float64), kind="stable")
        return cls(
            model=model,
            signature=signature,
            photo_ids=np.asarray(ids, dtype=np.int64)[order],
            vectors=np.ascontiguousarray(vectors[order]),
            days=np.asarray(days, dtype=np.float64)[order],
            lat=np.asarray(lats, dtype=np.float64)[order],
            lon=np.asarray(lons, dtype=np.float64)[order],
        )

    def __len__(self) -> int:
        return len(self.photo_ids)

    def row_of(self, photo_id: int) -> int | None:
        hits = np.flatnonzero(self.photo_ids == photo_id)
        return int(hits[0]) if len(hits) else None

    def date_slice(self, first: date, last: date) -> slice:
        """Rows taken from the start of `first` to the end of `last`."""
        lo = np.searchsorted(self.days, first.toordinal() - EPOCH, side="left")
        hi = np.searchsorted(self.days, last.toordinal() + 1 - EPOCH, side="left")
        return slice(int(lo), int(hi))


def day_number(iso: str) -> float:
    moment = datetime.fromisoformat(iso)
    return moment.toordinal() - EPOCH + (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400
