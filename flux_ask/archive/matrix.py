"""The active model's photos sorted by capture time, with their dates, positions, sign
sketches and vectors: a date range is a contiguous slice, so search over it needs no copy.

The vectors of a SQLite catalog are in the process's memory. Those of a PostgreSQL
catalog stay in the server, which scores them there (archive/vectors.py): the process
holds the rest, ~130 bytes a photo, and a sketch made by streaming the vectors once.

Building the matrix takes seconds at 400,000 photos, so it is kept on disk under the
archive's cache folder, named by the catalog's version: the next process maps it in a
fraction of a second, and any change to the catalog moves the version and retires the copy.
On PostgreSQL, a change of a few thousand photos (an indexer's batches, from this machine or
another) grows the copy before it rather than streaming every vector again.
"""

from __future__ import annotations

import json
import shutil
import zipfile
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
from flux_ask.db.vectors import model_vectors, server_mean, server_vector_batches, server_vectors
from flux_ask.errors import remark

EPOCH = date(1970, 1, 1).toordinal()
UNDATED = np.inf  # sorts after every date
FORMAT = 4  # bump when the cached layout changes
COLUMNS = ("photo_ids", "embedding_ids", "embedded_at", "days", "lat", "lon", "country", "region")
STREAM_BATCH = 20_000  # vectors read from the server at a time to sketch them
SHORTLIST = 4_000  # past the vectors' exact_rows, the sketch shortlists this many (or SHORTLIST_PER_RESULT
SHORTLIST_PER_RESULT = 100  # per result) to be scored exactly: recall@12 ~1.0 on the benchmark's archive
GROWN_ROWS = 10_000  # vectors read by id to grow an earlier matrix, past which all are streamed again
MEAN_DRIFT = 1.25  # the sketches' centre is worked out again once the archive has grown or shrunk this much


# what reading a copy that a kill or a full disk truncated, or anything overwrote, raises: made again
DAMAGED = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


@dataclass
class VectorMatrix:
    model: ModelRow
    version: tuple[str, int]
    photo_ids: np.ndarray  # int64, N
    embedding_ids: np.ndarray  # int64, N: each row's vector in the catalog
    embedded_at: np.ndarray  # bytes, N: when it was stored; an earlier matrix's sketch is kept while it agrees
    vectors: InMemory | InServer  # unit rows
    days: np.ndarray  # float64 days since 1970 (local capture time); inf when undated
    lat: np.ndarray  # float64, NaN when unknown
    lon: np.ndarray
    country: np.ndarray  # str, ISO code where the atlas named the place, else ""
    region: np.ndarray  # str, its first-level region, else ""
    sketch: SignSketch
    mean_of: int  # rows when the sketches' centre was worked out

    @classmethod
    def load(cls, conn: apsw.Connection, model: ModelRow, cache: Path | None = None) -> VectorMatrix:
        version = catalog_version(conn)
        folder = cache / _name(model, version) if cache else None
        if folder is not None and folder.is_dir():
            try:
                return cls._read(conn, folder, model, version)
            except DAMAGED as exc:
                remark(f"the search cache {folder} was damaged ({type(exc).__name__}: {exc}): "
                       "making it again from the catalog")
                shutil.rmtree(folder, ignore_errors=True)
        # SQLite reads its vectors whole about as fast as a grown copy would be written back
        earlier = cls._earlier(conn, cache, model, version) if is_postgres(conn) else None
        matrix = cls._from_catalog(conn, model, version, earlier)
        if cache is not None:
            matrix._write(cache)
        return matrix

    @classmethod
    def _earlier(cls, conn, cache: Path | None, model: ModelRow, version) -> VectorMatrix | None:
        """The copy of an earlier state of this catalog, if one is on disk (the latest)."""
        stem = _name(model, version).rsplit("-v", 1)[0]
        earlier = [(int(f.name[len(stem) + 2:]), f) for f in cache.glob(f"{stem}-v*")
                   if f.name[len(stem) + 2:].isdigit()] if cache else []
        for number, folder in sorted(earlier, reverse=True):
            try:
                return cls._read(conn, folder, model, (version[0], number))
            except DAMAGED:
                continue
        return None

    @classmethod
    def _from_catalog(cls, conn: apsw.Connection, model: ModelRow, version,
                      earlier: VectorMatrix | None = None) -> VectorMatrix:
        photos = searchable_photos(conn, model)
        days = np.array([day_number(p[2]) if p[2] else UNDATED for p in photos], dtype=np.float64)
        order = np.argsort(days, kind="stable")
        photos = [photos[i] for i in order]
        wanted = np.array([p[1] for p in photos], dtype=np.int64)
        stamps = np.array([p[7] or "" for p in photos], dtype=bytes)
        grown = _grown(conn, model, earlier, wanted, stamps)
        if grown is not None:
            found, vectors, sketch = grown
        elif is_postgres(conn):
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
            embedded_at=stamps[found],
            vectors=vectors,
            days=days[order],
            lat=np.array([np.nan if p[3] is None else p[3] for p in photos], dtype=np.float64),
            lon=np.array([np.nan if p[4] is None else p[4] for p in photos], dtype=np.float64),
            country=np.array([p[5] or "" for p in photos], dtype=str),
            region=np.array([p[6] or "" for p in photos], dtype=str),
            sketch=sketch,
            mean_of=earlier.mean_of if grown is not None else int(found.sum()),
        )

    @classmethod
    def _read(cls, conn, folder: Path, model: ModelRow, version) -> VectorMatrix:
        meta = json.loads((folder / "meta.json").read_text())
        if meta != _meta(model, version, is_postgres(conn)):
            raise ValueError("cache written for another catalog state")
        with np.load(folder / "rows.npz") as rows:
            columns = {name: rows[name] for name in COLUMNS}
            mean, words, mean_of = rows["mean"], rows["words"], int(rows["mean_of"])
        if is_postgres(conn):
            vectors = InServer(conn, model, columns["embedding_ids"])
        else:
            vectors = InMemory(np.load(folder / "vectors.npy", mmap_mode="r"))
            if vectors.array.shape != (len(columns["photo_ids"]), model.dim):
                raise ValueError("cache shape does not match")
        return cls(model, version, vectors=vectors, sketch=SignSketch(mean, rotation(model.dim), words),
                   mean_of=mean_of, **columns)

    def _write(self, cache: Path) -> None:
        """Into a temporary folder renamed whole, then older copies of this model go."""
        in_server = isinstance(self.vectors, InServer)
        try:
            with atomic_folder(cache / _name(self.model, self.version)) as tmp:
                if not in_server:
                    np.save(tmp / "vectors.npy", self.vectors.array)
                np.savez(tmp / "rows.npz", mean=self.sketch.mean, words=self.sketch.words, mean_of=self.mean_of,
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


def _grown(conn, model: ModelRow, earlier: VectorMatrix | None, wanted: np.ndarray, stamps: np.ndarray):
    """(found, vectors, sketch) for the rows `wanted` of a PostgreSQL catalog: an earlier
    matrix's sketch where it has the same vector (the same id, stored at the same time), the
    server's vectors for the rest. None when so much changed that streaming them all is
    quicker, or when the sketches' centre would have drifted."""
    if earlier is None or not len(earlier) or not 1 / MEAN_DRIFT <= len(wanted) / earlier.mean_of <= MEAN_DRIFT:
        return None
    at = positions(wanted, earlier.embedding_ids)
    kept = (at >= 0) & (earlier.embedded_at[np.maximum(at, 0)] == stamps)
    changed = np.flatnonzero(~kept)
    if len(changed) > min(GROWN_ROWS, len(wanted) // 4):
        return None
    ids, fresh = server_vectors(conn, model, wanted[changed])
    in_fresh = positions(wanted[changed], ids)
    found = kept.copy()
    found[changed[in_fresh >= 0]] = True
    row = np.cumsum(found) - 1  # each found row's place in the new matrix
    sketch = SignSketch.blank(earlier.sketch.mean, int(found.sum()))
    sketch.words[:, row[kept]] = earlier.sketch.words[:, at[kept]]
    sketch.words[:, row[changed[in_fresh >= 0]]] = sketch.encode(fresh[in_fresh[in_fresh >= 0]])
    return found, InServer(conn, model, wanted[found]), sketch


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
