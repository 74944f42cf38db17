"""The active model's vectors in memory, sorted by capture time, with their dates,
positions and sign sketches: a date range is a contiguous slice, so search over it
needs no copy.

Reading 400,000 vectors out of SQLite takes seconds, so the loaded matrix is kept
on disk under the archive's cache folder, named by the catalog's version: the next
process maps it in a fraction of a second, and any change to the catalog moves the
version and retires the copy.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import apsw
import numpy as np

from flux_ask.archive.sketch import SignSketch, rotation
from flux_ask.atomic import atomic_folder
from flux_ask.db.photos import searchable_photos
from flux_ask.db.rows import ModelRow
from flux_ask.db.status import catalog_version
from flux_ask.db.vectors import model_vectors

EPOCH = date(1970, 1, 1).toordinal()
UNDATED = np.inf  # sorts after every date
FORMAT = 2  # bump when the cached layout changes
COLUMNS = ("photo_ids", "days", "lat", "lon", "country", "region")


@dataclass
class VectorMatrix:
    model: ModelRow
    version: tuple[str, int]
    photo_ids: np.ndarray  # int64, N
    vectors: np.ndarray  # float32, N x dim, unit rows (possibly memory-mapped)
    days: np.ndarray  # float64 days since 1970 (local capture time); inf when undated
    lat: np.ndarray  # float64, NaN when unknown
    lon: np.ndarray
    country: np.ndarray  # str, ISO code where the atlas named the place, else ""
    region: np.ndarray  # str, its first-level region, else ""
    sketch: SignSketch

    @classmethod
    def load(cls, conn: apsw.Connection, model: ModelRow, cache: Path | None = None) -> VectorMatrix:
        version = catalog_version(conn)
        folder = cache / _name(model, version) if cache else None
        if folder is not None and folder.is_dir():
            try:
                return cls._read(folder, model, version)
            except (OSError, ValueError, KeyError):
                shutil.rmtree(folder, ignore_errors=True)  # damaged: rebuild below
        matrix = cls._from_catalog(conn, model, version)
        if cache is not None:
            matrix._write(cache)
        return matrix

    @classmethod
    def _from_catalog(cls, conn: apsw.Connection, model: ModelRow, version) -> VectorMatrix:
        photos = searchable_photos(conn, model)
        embedding_ids, vectors = model_vectors(conn, model)
        days = np.array([day_number(p[2]) if p[2] else UNDATED for p in photos], dtype=np.float64)
        order = np.argsort(days, kind="stable")
        photos = [photos[i] for i in order]
        # each photo's vector, found by its embedding id among the table's sorted ids
        by_id = np.argsort(embedding_ids)
        wanted = np.array([p[1] for p in photos], dtype=np.int64)
        at = by_id[np.minimum(np.searchsorted(embedding_ids, wanted, sorter=by_id), len(by_id) - 1)] \
            if len(by_id) else np.zeros(0, np.int64)
        found = embedding_ids[at] == wanted if len(by_id) else np.zeros(len(wanted), bool)
        if not found.all():  # a photo pointing at a vector that is not there: leave it out
            photos, at, order = [p for p, ok in zip(photos, found, strict=True) if ok], at[found], order[found]
        vectors = np.ascontiguousarray(vectors[at])
        return cls(
            model=model,
            version=version,
            photo_ids=np.array([p[0] for p in photos], dtype=np.int64),
            vectors=vectors,
            days=days[order],
            lat=np.array([np.nan if p[3] is None else p[3] for p in photos], dtype=np.float64),
            lon=np.array([np.nan if p[4] is None else p[4] for p in photos], dtype=np.float64),
            country=np.array([p[5] or "" for p in photos], dtype=str),
            region=np.array([p[6] or "" for p in photos], dtype=str),
            sketch=SignSketch.build(vectors),
        )

    @classmethod
    def _read(cls, folder: Path, model: ModelRow, version) -> VectorMatrix:
        meta = json.loads((folder / "meta.json").read_text())
        if meta != _meta(model, version):
            raise ValueError("cache written for another catalog state")
        vectors = np.load(folder / "vectors.npy", mmap_mode="r")
        with np.load(folder / "rows.npz") as rows:
            columns = {name: rows[name] for name in COLUMNS}
            mean, words = rows["mean"], rows["words"]
        if vectors.shape != (len(columns["photo_ids"]), model.dim):
            raise ValueError("cache shape does not match")
        return cls(model, version, vectors=vectors, sketch=SignSketch(mean, rotation(model.dim), words), **columns)

    def _write(self, cache: Path) -> None:
        """Into a temporary folder renamed whole, then older copies of this model go."""
        try:
            with atomic_folder(cache / _name(self.model, self.version)) as tmp:
                np.save(tmp / "vectors.npy", self.vectors)
                np.savez(tmp / "rows.npz", mean=self.sketch.mean, words=self.sketch.words,
                         **{name: getattr(self, name) for name in COLUMNS})
                (tmp / "meta.json").write_text(json.dumps(_meta(self.model, self.version)))
        except OSError:
            return  # a read-only home, or a full disk: a cache is a convenience, search goes on
        stem = _name(self.model, self.version).rsplit("-v", 1)[0]
        for old in cache.glob(f"{stem}-v*"):
            if old.name != _name(self.model, self.version):
                shutil.rmtree(old, ignore_errors=True)

    def __len__(self) -> int:
        return len(self.photo_ids)

    def row_of(self, photo_id: int) -> int | None:
        hits = np.flatnonzero(self.photo_ids == photo_id)
        return int(hits[0]) if len(hits) else None

    def weekdays(self) -> np.ndarray:
        """Each row's day of the week, Monday 0 to Sunday 6; -1 for undated photos."""
        out = np.full(len(self.days), -1, dtype=np.int64)
        dated = np.isfinite(self.days)
        out[dated] = (np.floor(self.days[dated]).astype(np.int64) + EPOCH - 1) % 7  # ordinal 1 was a Monday
        return out

    def date_slice(self, first: date, last: date) -> slice:
        """Rows taken from the start of `first` to the end of `last`."""
        lo = np.searchsorted(self.days, first.toordinal() - EPOCH, side="left")
        hi = np.searchsorted(self.days, last.toordinal() + 1 - EPOCH, side="left")
        return slice(int(lo), int(hi))


def _name(model: ModelRow, version: tuple[str, int]) -> str:
    return f"{version[0]}-m{model.id}-v{version[1]}"


def _meta(model: ModelRow, version: tuple[str, int]) -> dict:
    return {"format": FORMAT, "model": [model.id, model.name, model.pretrained, model.dim],
            "catalog": version[0], "version": version[1]}


def day_number(iso: str) -> float:
    moment = datetime.fromisoformat(iso)
    return moment.toordinal() - EPOCH + (moment.hour * 3600 + moment.minute * 60 + moment.second) / 86400


def best_first(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, best first; equal scores in index order, so that
    pages of one answer never repeat or drop a photo (copies with the same pixels tie)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(scores):
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]  # the k-th highest score
        part = np.flatnonzero(scores >= kth)  # every tie at the boundary, not an arbitrary few
    else:
        part = np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))][:k]
