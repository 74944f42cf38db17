"""Execute a QueryPlan: filters, then exact vector search over what they leave.

Filters only ("within one block of 40th and Walnut") run in SQL and return every
match in time order. With a vector, the filters become rows of the in-memory,
time-sorted matrix (a date range is a slice, a place a mask) and the scores are
exact over those rows, so an answer never has fewer than k results while k
photos qualify.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import apsw
import numpy as np

from flux_ask.config import Settings
from flux_ask.db import catalog
from flux_ask.embed import TINY_TEST, TINY_TEST_TAG, Embedder, ModelSpec, load_embedder
from flux_ask.errors import FluxAskError, ModelMismatch
from flux_ask.ingest.thumbs import thumb_path
from flux_ask.query.plan import DEFAULT_LIMIT, Place, QueryPlan
from flux_ask.search.geo import bounding_box, haversine_m
from flux_ask.search.matrix import VectorMatrix

Z_ALL = 3.0  # "all": scores this many standard deviations above the query's archive mean
ALL_PAGE = 100  # results per page in "all" mode
GROUP_MEMBERS = 6  # best photos shown per period, unless the question asks for a number
NEGATIVE_WEIGHT = 0.5  # how much "without X" weighs against the text
MOTIF_HINT = "recurring motifs are not searchable yet; ask for the concept alone or 'over time'"


@dataclass(frozen=True)
class Result:
    photo_id: int
    path: str | None
    score: float | None
    distance: float | None
    taken_at: str | None
    lat: float | None
    lon: float | None
    place: str | None
    thumbnail: str


@dataclass(frozen=True)
class Group:
    label: str
    period: str
    score: float
    share_above_threshold: float
    members: tuple[Result, ...]


@dataclass
class Answer:
    plan: QueryPlan
    results: list[Result]
    total: int  # matches before paging
    left_out: dict[str, int] = field(default_factory=dict)  # photos a filter could not see
    groups: list[Group] | None = None
    strategy: str = ""
    seconds: float = 0.0
    offset: int = 0  # rank of the first result, from 0

    def as_dict(self) -> dict[str, Any]:
        out = {
            "plan": self.plan.as_dict(),
            "results": [asdict(r) for r in self.results],
            "total": self.total,
            "offset": self.offset,
            "left_out": self.left_out,
            "strategy": self.strategy,
            "seconds": round(self.seconds, 4),
        }
        if self.groups is not None:
            out["groups"] = [
                {"label": g.label, "period": g.period, "score": round(g.score, 4),
                 "share_above_threshold": round(g.share_above_threshold, 4),
                 "members": [asdict(m) for m in g.members]}
                for g in self.groups
            ]
        return out


class NothingToSearch(FluxAskError):
    pass


class Searcher:
    """Holds the catalog connection, the in-memory matrix and the query encoder."""

    def __init__(self, settings: Settings, conn: apsw.Connection, embedder: Embedder | None = None):
        self.settings = settings
        self.conn = conn
        self._embedder = embedder
        self._matrix: VectorMatrix | None = None

    # -- set-up -----------------------------------------------------------------------

    def model(self) -> catalog.ModelRow:
        model = catalog.active_model(self.conn)
        if model is None or not catalog.has_photos(self.conn):
            raise NothingToSearch("the archive is empty: run `flux-ask index FOLDER` first")
        return model

    def matrix(self) -> VectorMatrix:
        model = self.model()
        if self._matrix is None or self._matrix.model != model or \
                self._matrix.signature != catalog.embedding_signature(self.conn, model):
            self._matrix = VectorMatrix.load(self.conn, model)
        return self._matrix

    def embedder(self) -> Embedder:
        model = self.model()
        if self._embedder is None:
            self._embedder = load_embedder(_spec_for(model, self.settings), runtime="torch",
                                           cache_dir=self.settings.models_dir)
        if (self._embedder.name, self._embedder.pretrained, self._embedder.dim) != \
                (model.name, model.pretrained, model.dim):
            raise ModelMismatch(
                f"the catalog's vectors come from {model.label}, but the query encoder is "
                f"{self._embedder.name} ({self._embedder.pretrained}, {self._embedder.dim}-d)"
            )
        return self._embedder

    # -- running ----------------------------------------------------------------------

    def run(self, plan: QueryPlan, *, selected: int | None = None, previous: list[int] | None = None,
            page: int = 0, page_size: int | None = None) -> Answer:
        """`page_size` pages "all" answers (default ALL_PAGE); top-k answers have plan.limit."""
        started = time.perf_counter()
        if plan.group_by == "motif":
            raise FluxAskError(MOTIF_HINT)
        size = (page_size or ALL_PAGE) if plan.mode == "all" else plan.limit
        if plan.needs_vector:
            answer = self._vector_search(plan, selected, previous or [], page, size)
        else:
            answer = self._filter_only(plan, page, size)
        answer.seconds = time.perf_counter() - started
        answer.offset = 0 if plan.group_by else page * size
        return answer

    def _filter_only(self, plan: QueryPlan, page: int, size: int) -> Answer:
        self.model()
        box = bounding_box(plan.near.lat, plan.near.lon, plan.near.radius_m) if plan.near else None
        rows = catalog.filtered_photos(self.conn, _sql_ranges(plan), box)
        if plan.near:
            rows = [r for r in rows if haversine_m(plan.near.lat, plan.near.lon, r[2], r[3]) <= plan.near.radius_m]
        if plan.exclude_near:
            ex = plan.exclude_near
            rows = [r for r in rows if r[2] is None or haversine_m(ex.lat, ex.lon, r[2], r[3]) > ex.radius_m]
        chosen = rows[page * size:(page + 1) * size]
        results = self._results([r[0] for r in chosen], None)
        return Answer(plan, results, len(rows), self._left_out(plan), strategy="sql")

    def _vector_search(self, plan: QueryPlan, selected, previous, page: int, size: int) -> Answer:
        m = self.matrix()
        if len(m) == 0:
            raise NothingToSearch("no photo has a vector yet: run `flux-ask index FOLDER`")
        query, home_rows = self._query_vector(plan, m, selected, previous)
        rows, strategy = self._candidates(plan, m)
        if home_rows is not None:  # echoes: the place's own photos define the query, and are left out
            rows = np.setdiff1d(rows, home_rows, assume_unique=False) if isinstance(rows, np.ndarray) \
                else np.setdiff1d(np.arange(rows.start, rows.stop), home_rows)
        vectors = m.vectors[rows]
        # "all" and grouped answers measure scores against the whole archive's: score
        # every row once, then read the candidates' scores from it
        needs_threshold = plan.mode == "all" or bool(plan.group_by)
        everything = isinstance(rows, slice) and (rows.start, rows.stop) == (0, len(m))
        archive_scores = m.vectors @ query if needs_threshold or everything else None
        scores = np.array(archive_scores[rows]) if archive_scores is not None else vectors @ query
        if plan.negative_text:
            negative = self.embedder().encode_text([plan.negative_text])[0]
            scores -= NEGATIVE_WEIGHT * (vectors @ negative)
        row_ids = np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows
        if selected is not None and plan.similar_to and plan.similar_to.get("selected"):
            keep = m.photo_ids[row_ids] != selected
            row_ids, scores = row_ids[keep], scores[keep]
        threshold = _threshold(archive_scores) if needs_threshold else None
        if plan.group_by:
            groups = self._groups(plan, m, row_ids, scores, threshold)
            flat = [r for g in groups for r in g.members]
            return Answer(plan, flat, len(flat), self._left_out(plan), groups, strategy=strategy)
        if plan.mode == "all":
            hit = scores >= threshold
            row_ids, scores = row_ids[hit], scores[hit]
        order = _top(scores, (page + 1) * size)[page * size:]
        chosen = row_ids[order]
        results = self._results([int(i) for i in m.photo_ids[chosen]], scores[order])
        return Answer(plan, results, int(len(scores)), self._left_out(plan), strategy=strategy)

    def _query_vector(self, plan: QueryPlan, m: VectorMatrix, selected, previous):
        parts, home_rows = [], None
        if plan.text:
            parts.append(self.embedder().encode_text([plan.text])[0])
        target = plan.similar_to or {}
        if target:
            photo_id = target.get("photo_id")
            if target.get("selected"):
                if selected is None:
                    raise FluxAskError("no photo is selected: pick one, or say 'similar to PHOTO_ID'")
                photo_id = selected
            elif "result" in target:
                index = target["result"]
                if not previous or abs(index) > len(previous) or index == 0:
                    raise FluxAskError(f"there is no result {index} in the previous answer")
                photo_id = previous[index - 1 if index > 0 else index]
            if "file" in target:
                parts.append(self._embed_file(Path(target["file"])))
            else:
                row = m.row_of(int(photo_id))
                if row is None:
                    raise FluxAskError(f"photo {photo_id} is not in the catalog (or has no vector yet)")
                parts.append(m.vectors[row])
        if plan.echoes_of:
            home_rows = np.flatnonzero(_within(m, plan.echoes_of))
            if len(home_rows) == 0:
                raise FluxAskError(f"no photo was taken within {plan.echoes_of.radius_m:g} m of "
                                   f"{plan.echoes_of.label}, so it has no echoes to find")
            parts.append(m.vectors[home_rows].mean(axis=0))
        query = np.sum(parts, axis=0)
        return (query / max(np.linalg.norm(query), 1e-12)).astype(np.float32), home_rows

    def _embed_file(self, path: Path) -> np.ndarray:
        from flux_ask.ingest.decode import decode, model_input
        from flux_ask.ingest.scan import kind_of

        if not path.is_file():
            raise FluxAskError(f"no such file: {path}")
        embedder = self.embedder()
        pre = embedder.preprocess
        decoded = decode(str(path), kind_of(path.name) or "image", path.stat().st_mtime_ns,
                         min_side=pre.size, max_pixels=self.settings.max_pixels)
        pixels = model_input(decoded.image, pre.size, pre.resize_mode, pre.interpolation)
        return embedder.encode_images(pixels[None])[0]

    def _candidates(self, plan: QueryPlan, m: VectorMatrix) -> tuple[slice | np.ndarray, str]:
        """Rows the filters allow: a slice for one date range (no copy), else indices."""
        ranges = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in plan.date_ranges]
        if not plan.near and not plan.exclude_near:
            if not ranges:
                return slice(0, len(m)), "exact:all"
            if len(ranges) == 1:
                return m.date_slice(*ranges[0]), "exact:date-slice"
        mask = np.zeros(len(m), dtype=bool)
        if ranges:
            for first, last in ranges:
                mask[m.date_slice(first, last)] = True
        else:
            mask[:] = True
        if plan.near:
            mask &= _within(m, plan.near)
        if plan.exclude_near:
            mask &= ~_within(m, plan.exclude_near)
        return np.flatnonzero(mask), "exact:filtered"

    def _groups(self, plan, m: VectorMatrix, rows, scores, threshold) -> list[Group]:
        days = m.days[rows]
        dated = np.isfinite(days)
        rows, scores, days = rows[dated], scores[dated], days[dated]
        labels = np.array([_period(d, plan.group_by, self.settings) for d in days])
        groups = []
        per_group = plan.limit if plan.limit != DEFAULT_LIMIT else GROUP_MEMBERS
        for label in sorted(set(labels), key=lambda lab: days[labels == lab].min()):
            here = np.flatnonzero(labels == label)
            order = _top(scores[here], per_group)
            top = here[order]
            members = self._results([int(i) for i in m.photo_ids[rows[top]]], scores[top])
            groups.append(Group(label, plan.group_by, float(np.mean(scores[here][order[:5]])),
                                float(np.mean(scores[here] >= threshold)), tuple(members)))
        return groups

    def _results(self, photo_ids: list[int], scores) -> list[Result]:
        details = catalog.photo_details(self.conn, photo_ids)
        out = []
        for i, photo_id in enumerate(photo_ids):
            d = details[photo_id]
            score = None if scores is None else float(scores[i])
            out.append(Result(
                photo_id=photo_id,
                path=d["path"],
                score=score,
                distance=None if score is None else 1.0 - score,
                taken_at=d["taken_at"] if d["taken_at_source"] != "file_mtime" else None,
                lat=d["lat"],
                lon=d["lon"],
                place=None if d["lat"] is None else f"{d['lat']:.5f}, {d['lon']:.5f}",
                thumbnail=str(thumb_path(self.settings.thumbs_dir, d["sha256"], self.settings.thumb_size)),
            ))
        return out

    def _left_out(self, plan: QueryPlan) -> dict[str, int]:
        lacking = catalog.count_lacking(self.conn)
        out = {}
        if plan.date_ranges:
            out["no_date"] = lacking["no_date"]
        if plan.near or plan.exclude_near or plan.echoes_of:
            out["no_location"] = lacking["no_location"]
        return out


def _spec_for(model: catalog.ModelRow, settings: Settings) -> ModelSpec:
    """The encoder for the catalog's own vectors: the query must speak their language."""
    if model.name == TINY_TEST and model.pretrained == TINY_TEST_TAG:
        return ModelSpec(TINY_TEST)
    if model.pretrained.startswith("file:"):
        if settings.weights is None:
            raise ModelMismatch(f"the catalog was embedded with the checkpoint {model.pretrained[5:]}: "
                                "pass the same file with --weights")
        return ModelSpec(model.name, weights=settings.weights)
    return ModelSpec(model.name, pretrained=model.pretrained)


def _sql_ranges(plan: QueryPlan) -> list[tuple[str, str]]:
    """Inclusive dates to [start, day after end) on the ISO text column."""
    return [(a, (date.fromisoformat(b) + timedelta(days=1)).isoformat()) for a, b in plan.date_ranges]


def _within(m: VectorMatrix, place: Place) -> np.ndarray:
    lat_min, lat_max, lon_min, lon_max = bounding_box(place.lat, place.lon, place.radius_m)
    with np.errstate(invalid="ignore"):
        box = (m.lat >= lat_min) & (m.lat <= lat_max)
        box &= (m.lon >= lon_min) & (m.lon <= lon_max) if lon_min <= lon_max else \
            (m.lon >= lon_min) | (m.lon <= lon_max)
    inside = np.zeros(len(m), dtype=bool)
    idx = np.flatnonzero(box)
    inside[idx] = haversine_m(place.lat, place.lon, m.lat[idx], m.lon[idx]) <= place.radius_m
    return inside


def _threshold(all_scores: np.ndarray) -> float:
    """Scores stand out when they are Z_ALL deviations above the archive's mean for this query."""
    if len(all_scores) < 2:
        return -1.0
    return float(all_scores.mean() + Z_ALL * all_scores.std())


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.argsort(-scores[part], kind="stable")]


def _period(day: float, unit: str, settings: Settings) -> str:
    from flux_ask.query.dates import NORTHERN, SOUTHERN

    d = date.fromordinal(int(day) + date(1970, 1, 1).toordinal())
    if unit == "year":
        return str(d.year)
    if unit == "month":
        return f"{d.year}-{d.month:02d}"
    starts = SOUTHERN if settings.hemisphere == "south" else NORTHERN
    for name in ("winter", "spring", "summer", "autumn"):
        first = starts[name]
        months = {(first + i - 1) % 12 + 1 for i in range(3)}
        if d.month in months:
            year = d.year + 1 if first == 12 and d.month == 12 else d.year
            return f"{year} {name}"
    raise AssertionError(d)


