"""The active model's photos sorted by capture time, with their dates, positions, sign
sketches and vectors: a date range is a contiguous slice, so search over it needs no copy.

The vectors of a SQLite catalog are in the process's memory. Those of a PostgreSQL
catalog stay in the server, which scores them there (archive/vectors.py): the process
holds the rest, ~130 bytes a photo, and a sketch made by streaming the vectors once.

Building the matrix takes seconds at 400,000 photos, so it is kept on disk under the
archive's cache folder, named by the catalog's version: the next process maps it in a
fraction of a second, and any change to the catalog moves the version and retires the copy.
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
from flux_ask.archive.vectors import InMemory, InServer, positions
from flux_ask.atomic import atomic_folder
from flux_ask.db.photos import searchable_photos
from flux_ask.db.postgres import is_postgres
from flux_ask.db.rows import ModelRow
from flux_ask.db.status import catalog_version
from flux_ask.db.vectors import model_vectors, server_mean, server_vector_batches

EPOCH = date(1970, 1, 1).toordinal()
UNDATED = np.inf  # sorts after every date
FORMAT = 3  # bump when the cached layout changes
COLUMNS = ("photo_ids", "embedding_ids", "days", "lat", "lon", "country", "region")
STREAM_BATCH = 20_000  # vectors read from the server at a time to sketch them
SHORTLIST = 4_000  # past the vectors' exact_rows, the sketch shortlists this many (or SHORTLIST_PER_RESULT
SHORTLIST_PER_RESULT = 100  # per result) to be scored exactly: recall@12 ~1.0 on the benchmark's archive


@dataclass
class VectorMatrix:
    model: ModelRow
    version: tuple[str, int]
    photo_ids: np.ndarray  # int64, N
    embedding_ids: np.ndarray  # int64, N: each row's vector in the catalog
    vectors: InMemory | InServer  # unit rows
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
                return cls._read(conn, folder, model, version)
            except (OSError, ValueError, KeyError):
                shutil.rmtree(folder, ignore_errors=True)  # damaged: rebuild below
        matrix = cls._from_catalog(conn, model, version)
        if cache is not None:
            matrix._write(cache)
        return matrix

    @classmethod
    def _from_catalog(cls, conn: apsw.Connection, model: ModelRow, version) -> VectorMatrix:
        photos = searchable_photos(conn, model)
        days = np.array([day_number(p[2]) if p[2] else UNDATED for p in photos], dtype=np.float64)
        order = np.argsort(days, kind="stable")
        photos = [photos[i] for i in order]
        wanted = np.array([p[1] for p in photos], dtype=np.int64)
        if is_postgres(conn):
            found, sketch = _sketch_in_server(conn, model, wanted)
            vectors = InServer(conn, model, wanted[found])
        else:
            embedding_ids, array = model_vectors(conn, model)
            at = positions(wanted, embedding_ids)  # each photo's vector among the table's
            found = at >= 0
            array = np.ascontiguousarray(array[at[found]])
            vectors, sketch = InMemory(array), SignSketch.build(array)
        if not found.all():  # a photo pointing at a vector that is not there: leave it out
            photos, order = [p for p, ok in zip(photos, found, strict=True) if ok], order[found]
        return cls(
            model=model,
            version=version,
            photo_ids=np.array([p[0] for p in photos], dtype=np.int64),
            embedding_ids=wanted[found],
            vectors=vectors,
            days=days[order],
            lat=np.array([np.nan if p[3] is None else p[3] for p in photos], dtype=np.float64),
            lon=np.array([np.nan if p[4] is None else p[4] for p in photos], dtype=np.float64),
            country=np.array([p[5] or "" for p in photos], dtype=str),
            region=np.array([p[6] or "" for p in photos], dtype=str),
            sketch=sketch,
        )

    @classmethod
    def _read(cls, conn, folder: Path, model: ModelRow, version) -> VectorMatrix:
        meta = json.loads((folder / "meta.json").read_text())
        if meta != _meta(model, version, is_postgres(conn)):
            raise ValueError("cache written for another catalog state")
        with np.load(folder / "rows.npz") as rows:
            columns = {name: rows[name] for name in COLUMNS}
            mean, words = rows["mean"], rows["words"]
        if is_postgres(conn):
            vectors = InServer(conn, model, columns["embedding_ids"])
        else:
            vectors = InMemory(np.load(folder / "vectors.npy", mmap_mode="r"))
            if vectors.array.shape != (len(columns["photo_ids"]), model.dim):
                raise ValueError("cache shape does not match")
        return cls(model, version, vectors=vectors, sketch=SignSketch(mean, rotation(model.dim), words), **columns)

    def _write(self, cache: Path) -> None:
        """Into a temporary folder renamed whole, then older copies of this model go."""
        in_server = isinstance(self.vectors, InServer)
        try:
            with atomic_folder(cache / _name(self.model, self.version)) as tmp:
                if not in_server:
                    np.save(tmp / "vectors.npy", self.vectors.array)
                np.savez(tmp / "rows.npz", mean=self.sketch.mean, words=self.sketch.words,
                         **{name: getattr(self, name) for name in COLUMNS})
                (tmp / "meta.json").write_text(json.dumps(_meta(self.model, self.version, in_server)))
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

    def best(self, query: np.ndarray, rows: slice | np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray, str]:
        """The k best of `rows` (every row when None) with their exact scores, best first, and
        how they were found: every score computed when the rows are few, else a sketch
        shortlist rescored."""
        rows = slice(0, len(self)) if rows is None else rows
        ids = np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows
        if len(ids) <= self.vectors.exact_rows:
            scores = self.vectors.score(query, rows)
            how = "exact"
        else:
            near = self.sketch.shortlist(query, rows, max(SHORTLIST, SHORTLIST_PER_RESULT * k))
            ids = np.sort(ids[near])  # reading rows in order is kinder to memory (and to a mapped file)
            scores = self.vectors.score(query, ids)
            how = "sketch"
        order = best_first(scores, k)
        return ids[order], scores[order], how

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


def _meta(model: ModelRow, version: tuple[str, int], in_server: bool) -> dict:
    return {"format": FORMAT, "model": [model.id, model.name, model.pretrained, model.dim],
            "catalog": version[0], "version": version[1], "vectors": "server" if in_server else "memory"}


def _sketch_in_server(conn, model: ModelRow, embedding_ids: np.ndarray) -> tuple[np.ndarray, SignSketch]:
    """The sketches of the vectors `embedding_ids` names, read from the server a batch at a
    time, and which of them it holds."""
    sketch = SignSketch.blank(server_mean(conn, model), len(embedding_ids))
    seen = np.zeros(len(embedding_ids), dtype=bool)
    for ids, batch in server_vector_batches(conn, model, STREAM_BATCH):
        at = positions(ids, embedding_ids)  # where each lies in the matrix (-1: no searchable photo's)
        mine = at >= 0
        sketch.words[:, at[mine]] = sketch.encode(batch[mine])
        seen[at[mine]] = True
    sketch.words = np.ascontiguousarray(sketch.words[:, seen])
    return seen, sketch


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
