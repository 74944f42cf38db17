"""Execute a QueryPlan: filters first, then vector search over what they leave.

Filters only ("within one block of 40th and Walnut") run in SQL and return every
match in time order. With a vector, the filters become rows of the in-memory,
time-sorted matrix (a date range is a slice, a place a mask). Few rows are scored
exactly; many are shortlisted by their sign sketches and the shortlist is scored
exactly. Either way an answer never has fewer than k results while k photos
qualify. Grouped questions score every photo once (periods), or cluster the best
candidates (recurring motifs, search/motifs.py).
"""

from __future__ import annotations

import time
import zlib
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from flux_ask.archive.home import Archive
from flux_ask.archive.matrix import VectorMatrix, best_first, day_number
from flux_ask.db.facts import photos_with_facts
from flux_ask.db.photos import count_lacking, filtered_photos, group_labels, photo_by_sha
from flux_ask.errors import FluxAskError, NothingToSearch
from flux_ask.geo import haversine_m, in_box
from flux_ask.periods import period_keys
from flux_ask.picture.decode import decode, model_input
from flux_ask.picture.scan import kind_of, printable
from flux_ask.picture.sha256 import sha256_file
from flux_ask.query.plan import (
    DEFAULT_LIMIT,
    DEFAULT_MOTIF_YEARS,
    FileRef,
    PhotoRef,
    Place,
    QueryPlan,
    describe_target,
)
from flux_ask.search import motifs
from flux_ask.search.answer import Answer, Group, Result, results_for
from flux_ask.search.grouping import IN_ORDER, group_keys
from flux_ask.words import counted

Z_ALL = 3.0  # "all": scores this many standard deviations above the query's archive mean
ALL_PAGE = 100  # results per page in "all" mode
CURVE_TOP = 5  # a period's score is the mean of its best this many
NEGATIVE_WEIGHT = 0.5  # how much "without X" weighs against the text
KEEPER_POOL = 100  # "best ...": the best this many by similarity (or KEEPER_POOL_PER_RESULT per
KEEPER_POOL_PER_RESULT = 8  # result) are reordered by their blend with the keeper score
BLEND = "(1 - weight) * relevance + weight * keeper_score; relevance = similarity rescaled to 0..1 across the pool"


class Searcher:
    """Runs plans against an opened archive. "This one" and "the third one" are the
    conversation's to resolve: a plan reaches the searcher naming a photo or a file."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self._lacking: tuple[tuple[str, int], dict[str, int]] | None = None
        self._group_labels: dict[str, tuple] = {}

    def run(self, plan: QueryPlan, *, page: int = 0, page_size: int | None = None,
            keeper_asked: bool = False) -> Answer:
        """`page_size` pages "all" answers (default ALL_PAGE); top-k answers have plan.limit.
        `keeper_asked`: the keeper ranking was asked for by name (`--rank keeper`), so a keeper
        model no better than chance is used all the same, and the answer says so."""
        started = time.perf_counter()
        size = (page_size or ALL_PAGE) if plan.mode != "top_k" else plan.count
        if plan.group_by == "motif":
            answer = self._motif_search(plan)
        elif plan.needs_vector:
            answer = self._vector_search(plan, page, size, keeper_asked)
        else:
            answer = self._filter_only(plan, page, size, keeper_asked)
        ranking = answer.ranking
        if plan.rank == "keeper" and ranking is None and (answer.results or answer.groups):
            ranking = {"by": "similarity", "note": self._why_not_keeper(plan)}
        return replace(answer, seconds=time.perf_counter() - started, ranking=ranking,
                       offset=0 if plan.group_by else page * size, page_size=0 if plan.group_by else size)

    def _why_not_keeper(self, plan: QueryPlan) -> str:
        if plan.group_by:
            return "grouped answers are ordered by similarity"
        order = "ranked by similarity" if plan.needs_vector else "in time order"  # nothing to compare without text
        scorer = self.archive.keeper()
        if scorer is None:
            return f"no keeper model for these vectors yet: {order}"
        return (f"the keeper model is no better than chance (cross-validated ROC-AUC {scorer.roc_auc:.2f}): "
                f"{order}; label more keepers and train it again")

    def results_for(self, photo_ids: list[int]) -> list[Result]:
        """Photos as results (details, thumbnail, keeper score), unscored: the basket."""
        return results_for(self.archive, photo_ids)

    def _blend(self, keeper_id: int, photo_ids: np.ndarray, similarity: np.ndarray | None):
        """Order by the blend of similarity and keeper score (by keeper score alone when
        there is no similarity); returns (order, rank scores, the ranking's description)."""
        known = self.archive.keeper_scores([int(p) for p in photo_ids])
        keeper = np.array([known.get(int(p), np.nan) for p in photo_ids], dtype=np.float64)
        weight = self.archive.settings.keeper_weight
        if similarity is None:
            rank = np.nan_to_num(keeper, nan=-1.0)  # unscored photos last
            info = {"by": "keeper", "formula": "keeper_score", "pool": len(photo_ids)}
        else:
            rank = keeper_blend(similarity, keeper, weight)
            info = {"by": "keeper", "formula": BLEND, "weight": weight, "pool": len(photo_ids)}
        scorer = self.archive.keeper()
        if scorer is not None and not scorer.better_than_chance:
            info["note"] = (f"as asked, though the keeper model is no better than chance "
                            f"(cross-validated ROC-AUC {scorer.roc_auc:.2f})")
        order = np.argsort(-rank, kind="stable")
        return order, rank[order], info

    def _keeper_id(self, plan: QueryPlan, asked: bool) -> int | None:
        """The keeper model that orders a "best ..." answer, when there is one worth it."""
        scorer = self.archive.keeper() if plan.rank == "keeper" else None
        return scorer.id if scorer and (scorer.better_than_chance or asked) else None

    def _filter_only(self, plan: QueryPlan, page: int, size: int, keeper_asked: bool) -> Answer:
        conn = self.archive.require().conn
        self.archive.model()
        near = plan.near
        one = near is not None and not near.either  # several places are told apart below, not in SQL
        box = near.reach() if one and not near.area else None
        rows = filtered_photos(conn, _sql_ranges(plan.date_ranges), box, _sql_ranges(plan.exclude_date_ranges),
                               plan.weekdays, (near.country_code, near.region) if one and near.area else None)
        ranking = rank_scores = None
        if plan.facts:
            allowed = set(photos_with_facts(conn, plan.facts).tolist())
            rows = [r for r in rows if r.photo_id in allowed]
        if plan.near or plan.exclude_near:  # the exact distances, for all rows at once
            lat = np.array([np.nan if r.lat is None else r.lat for r in rows], dtype=np.float64)
            lon = np.array([np.nan if r.lon is None else r.lon for r in rows], dtype=np.float64)
            keep = np.ones(len(rows), dtype=bool)
            country = np.array([r.country_code or "" for r in rows], dtype=str)
            region = np.array([r.region or "" for r in rows], dtype=str)
            with np.errstate(invalid="ignore"):
                if plan.near:
                    keep &= _inside(plan.near, lat, lon, country, region)
                if plan.exclude_near:  # no position: kept
                    keep &= ~_inside(plan.exclude_near, lat, lon, country, region)
            rows = [r for r, k in zip(rows, keep, strict=True) if k]
        if plan.group_by:  # "one per country", "by camera": the first of each group, in time order
            groups = self._filter_groups(plan, rows)
            flat = tuple(r for g in groups for r in g.members)
            return Answer(plan, flat, len(flat), self._left_out(plan), groups, strategy="sql")
        keeper_id = self._keeper_id(plan, keeper_asked)
        if keeper_id is not None and rows:  # "the best of winter 2022": by keeper score
            order, rank_scores, ranking = self._blend(keeper_id, np.array([r.photo_id for r in rows]), None)
            rows = [rows[i] for i in order]
            rank_scores = rank_scores[page * size:(page + 1) * size]
        elif plan.order == "newest":  # in time order already; the newest first when asked
            rows = rows[::-1]
        elif plan.order == "random":
            rows = [rows[i] for i in _shuffled(len(rows), plan)]
        chosen = rows[page * size:(page + 1) * size]
        results = results_for(self.archive, [r.photo_id for r in chosen], None, rank_scores)
        return Answer(plan, tuple(results), len(rows), self._left_out(plan), strategy="sql", ranking=ranking)

    def _vector_search(self, plan: QueryPlan, page: int, size: int, keeper_asked: bool) -> Answer:
        m = self.archive.matrix()
        if len(m) == 0:
            raise NothingToSearch("no photo has a vector yet: run `flux-ask index FOLDER`")
        query, home_rows, about = self._query_vector(plan, m)
        rows, strategy = self._candidates(plan, m)
        if home_rows is not None:  # echoes: the place's own photos define the query, and are left out
            rows = np.setdiff1d(_row_ids(rows), home_rows)
        skip = {m.row_of(about)} - {None} if about is not None else set()  # a photo is not its own answer
        keeper_id = self._keeper_id(plan, keeper_asked)
        if plan.mode != "top_k" or plan.group_by:
            # thresholds are set against the whole archive's scores for this query
            archive = m.vectors.score(query)
            row_ids = _row_ids(rows)
            row_ids = row_ids[~np.isin(row_ids, list(skip))] if skip else row_ids
            scores, threshold = archive[row_ids], _threshold(archive)
            if plan.group_by:
                groups = self._groups(plan, m, row_ids, scores, threshold)
                flat = tuple(r for g in groups for r in g.members)
                return Answer(plan, flat, len(flat), self._left_out(plan, m), groups, strategy=strategy)
            hit = scores >= threshold
            cut = {"threshold": round(threshold, 4), "best_score": round(float(scores.max()), 4) if len(scores) else None,
                   "strong": int(hit.sum())}
            if plan.mode == "all" and cut["strong"] < DEFAULT_LIMIT:  # "all" is never fewer than the best few
                hit[best_first(scores, DEFAULT_LIMIT)] = True
            row_ids, scores = row_ids[hit], scores[hit]
            if plan.order in ("newest", "oldest", "time"):  # every match, by date: pages tile one order
                order = _by_time(m.days[row_ids], plan.order)
            elif plan.order == "random":
                order = _shuffled(len(row_ids), plan)
            else:
                order = best_first(scores, len(scores) if keeper_id else (page + 1) * size)
            chosen, chosen_scores, total = row_ids[order], scores[order], len(scores)
        else:
            wanted = (page + 1) * size + len(skip)
            # the keeper reorders a pool fixed by the page's size, never by its number: pages tile one order
            pool = max(KEEPER_POOL, KEEPER_POOL_PER_RESULT * (size + len(skip))) if keeper_id else 0
            chosen, chosen_scores, how = m.best(query, rows, max(pool, wanted))
            keep = np.array([r not in skip for r in chosen], dtype=bool)
            chosen, chosen_scores = chosen[keep], chosen_scores[keep]
            total = _count(rows) - len(skip)
            strategy = f"{strategy}+{how}"
            cut = {}
        ranking = rank_scores = None
        if keeper_id is not None and len(chosen):
            blended = len(chosen) if plan.mode != "top_k" else min(pool, len(chosen))  # past the pool: by similarity
            order, rank_scores, ranking = self._blend(keeper_id, m.photo_ids[chosen[:blended]],
                                                      chosen_scores[:blended])
            order = np.concatenate([order, np.arange(blended, len(chosen))])
            rank_scores = np.concatenate([rank_scores, np.full(len(chosen) - blended, np.nan)])
            chosen, chosen_scores = chosen[order], chosen_scores[order]
        window = slice(page * size, (page + 1) * size)
        chosen, chosen_scores = chosen[window], chosen_scores[window]
        rank_scores = None if rank_scores is None else rank_scores[window]
        if plan.order in ("newest", "oldest", "time") and plan.mode == "top_k":  # the best, shown by date
            order = _by_time(m.days[chosen], plan.order)
            chosen, chosen_scores = chosen[order], chosen_scores[order]
            rank_scores = None if rank_scores is None else rank_scores[order]
        results = results_for(self.archive, [int(i) for i in m.photo_ids[chosen]], chosen_scores, rank_scores)
        return Answer(plan, tuple(results), int(total), self._left_out(plan, m), strategy=strategy, ranking=ranking,
                      **cut)

    def _motif_search(self, plan: QueryPlan) -> Answer:
        m = self.archive.matrix()
        rows, strategy = self._candidates(plan, m)
        rows = _row_ids(rows)
        rows = rows[np.isfinite(m.days[rows])]  # a motif recurs in time: undated photos cannot tell
        scores = None  # every photo's score for the concept, once (no copy of the rows' vectors)
        if plan.needs_vector:
            scores = m.vectors.score(self._query_vector(plan, m)[0])
        pool = motifs.candidates(None if scores is None else scores[rows], rows, m.days)
        years = period_keys(m.days[pool], "year")
        found = motifs.find_motifs(m.vectors.take(pool), pool, years, plan.span_years or DEFAULT_MOTIF_YEARS,
                                   _window_years(plan, m), None if scores is None else scores[pool])
        found = found[:plan.count]
        shown = np.concatenate([f.rows for f in found]) if found else np.zeros(0, np.int64)
        if scores is not None:
            scores = scores[shown]
        else:  # how typical of its motif each photo is
            scores = np.concatenate([(v := m.vectors.take(f.rows)) @ _unit(v.mean(axis=0)) for f in found]) \
                if found else np.zeros(0)
        results = iter(results_for(self.archive, [int(i) for i in m.photo_ids[shown]], scores))
        groups = tuple(Group(f"motif {n}: {counted(f.size, 'photo')} in {len(f.years)} years "
                             f"({f.years[0]}-{f.years[-1]})",
                             "motif", f.score, None, tuple(next(results) for _ in f.rows), f.years)
                       for n, f in enumerate(found, start=1))
        flat = tuple(r for g in groups for r in g.members)
        return Answer(plan, flat, len(flat), self._left_out(plan, m), groups,
                      strategy=f"{strategy}+motifs:{len(pool)} candidates")

    def _query_vector(self, plan: QueryPlan, m: VectorMatrix):
        """(query vector, the rows of the place whose echoes are asked for, the catalogued photo
        the question is about, which is no answer of its own)."""
        parts, home_rows, about = [], None, None
        if plan.text:
            parts.append(self.archive.encoder().encode_text([plan.text])[0])
        target = plan.similar_to
        if isinstance(target, FileRef):
            about = self._catalogued(Path(target.path), m)
            parts.append(m.vectors.take([m.row_of(about)])[0] if about is not None
                         else self._embed_file(Path(target.path)))
        elif isinstance(target, PhotoRef):
            about = target.photo_id
            row = m.row_of(target.photo_id)
            if row is None:
                raise FluxAskError(f"photo {target.photo_id} is not in the catalog (or has no vector yet)")
            parts.append(m.vectors.take([row])[0])
        elif target is not None:
            raise FluxAskError(f"'{describe_target(target)}' means a photo in a conversation: "
                               "in the chat, or say 'similar to PHOTO_ID'")
        if plan.echoes_of:
            home_rows = np.flatnonzero(_within(m, plan.echoes_of))
            if len(home_rows) == 0:
                raise FluxAskError(f"no photo was taken {plan.echoes_of.words()}, so it has no echoes to find")
            parts.append(m.vectors.take(home_rows).mean(axis=0))
        query = _unit(np.sum(parts, axis=0)).astype(np.float32)
        if plan.negative_text:  # scores are linear in the query, so "without X" folds into it
            query = query - NEGATIVE_WEIGHT * self.archive.encoder().encode_text([plan.negative_text])[0]
        return query, home_rows, about

    def _catalogued(self, path: Path, m: VectorMatrix) -> int | None:
        """The photo a file is, when the catalog holds its content with a vector: its stored
        vector answers, nothing is decoded or embedded."""
        if not path.is_file():
            return None  # _embed_file says what is wrong with it
        try:
            found = photo_by_sha(self.archive.conn, sha256_file(str(path)))
        except OSError:
            return None
        return found[0] if found and m.row_of(found[0]) is not None else None

    def _embed_file(self, path: Path) -> np.ndarray:

        if path.is_dir():
            raise FluxAskError(f"{printable(str(path))} is a folder: name one picture in it")
        if not path.exists():
            raise FluxAskError(f"no such file: {printable(str(path))}")
        if not path.is_file():
            raise FluxAskError(f"{printable(str(path))} is not a picture file (a device or a pipe?)")
        encoder = self.archive.encoder()
        pre = encoder.preprocess
        decoded = decode(str(path), kind_of(path.name) or "image", path.stat().st_mtime_ns,
                         min_side=pre.size, max_pixels=self.archive.settings.max_pixels)
        pixels = model_input(decoded.image, pre.size, pre.resize_mode, pre.interpolation)
        return encoder.encode_images(pixels[None])[0]

    def _candidates(self, plan: QueryPlan, m: VectorMatrix) -> tuple[slice | np.ndarray, str]:
        """Rows the filters allow: a slice for one date range (no copy), else indices."""
        ranges = [(date.fromisoformat(a), date.fromisoformat(b)) for a, b in plan.date_ranges]
        if not plan.near and not plan.exclude_near and not plan.exclude_date_ranges and not plan.weekdays \
                and not plan.facts:
            if not ranges:
                return slice(0, len(m)), "all"
            if len(ranges) == 1:
                return m.date_slice(*ranges[0]), "date-slice"
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
        for a, b in plan.exclude_date_ranges:  # undated photos are not in any range: they stay
            mask[m.date_slice(date.fromisoformat(a), date.fromisoformat(b))] = False
        if plan.weekdays:  # undated photos have no day of the week: they cannot match
            mask &= np.isin(m.weekdays(), plan.weekdays)
        if plan.facts:  # what the files say: the catalog's to answer
            mask &= np.isin(m.photo_ids, photos_with_facts(self.archive.conn, plan.facts))
        return np.flatnonzero(mask), "filtered"

    def _groups(self, plan, m: VectorMatrix, rows, scores, threshold) -> tuple[Group, ...]:
        """The best photos of each group, with the group's score: the mean of its best few, and
        the share of its photos above the archive threshold. Periods, days of the week and hours
        in their order; cameras, lenses and places the best first."""
        keys, names = group_keys(plan.group_by, m.days[rows], m.photo_ids[rows], self._labels,
                                 self.archive.settings.hemisphere)
        has = keys >= 0
        rows, scores, keys = rows[has], scores[has], keys[has]
        order = np.argsort(keys, kind="stable")
        bounds = np.flatnonzero(np.diff(keys[order])) + 1
        found = []
        for here in np.split(order, bounds) if len(order) else []:
            best = here[best_first(scores[here], max(plan.count, CURVE_TOP))]
            found.append((int(keys[here[0]]), float(np.mean(scores[best[:CURVE_TOP]])),
                          float(np.mean(scores[here] >= threshold)), best[:plan.count]))
        if plan.group_by not in IN_ORDER:
            found.sort(key=lambda g: -g[1])
        shown = np.concatenate([g[3] for g in found]) if found else np.zeros(0, np.int64)
        results = iter(results_for(self.archive, [int(i) for i in m.photo_ids[rows[shown]]], scores[shown]))
        return tuple(Group(names[key], plan.group_by, score, share, tuple(next(results) for _ in best))
                     for key, score, share, best in found)

    def _filter_groups(self, plan: QueryPlan, rows) -> tuple[Group, ...]:
        """Groups of an answer with nothing to rank by: the first of each, in time order (the
        newest first when asked); the largest groups first where they have no order of their own."""
        ids = np.array([r.photo_id for r in rows], dtype=np.int64)
        days = np.array([day_number(r.taken_at) if r.taken_at else np.inf for r in rows])
        keys, names = group_keys(plan.group_by, days, ids, self._labels, self.archive.settings.hemisphere)
        found: dict[int, list[int]] = {}
        for k, key in enumerate(keys):
            if key >= 0:
                found.setdefault(int(key), []).append(k)
        order = sorted(found) if plan.group_by in IN_ORDER else sorted(found, key=lambda k: (-len(found[k]), names[k]))
        groups = []
        for key in order:
            members = found[key][::-1] if plan.order == "newest" else found[key]
            chosen = [int(ids[k]) for k in members[:plan.count]]
            groups.append(Group(f"{names[key]} ({counted(len(found[key]), 'photo')})", plan.group_by, None, None,
                                tuple(results_for(self.archive, chosen))))
        return tuple(groups)

    def _labels(self, by: str) -> dict[int, str]:
        """The catalog's words for a grouping by a column, by photo id, kept while the catalog is unchanged."""
        version = self.archive.version()
        if self._group_labels.get(by, (None,))[0] != version:
            self._group_labels[by] = (version, group_labels(self.archive.conn, by))
        return self._group_labels[by][1]

    def _left_out(self, plan: QueryPlan, m: VectorMatrix | None = None) -> dict[str, int]:
        """Photos the plan's filters could not see, among those searched: the matrix's own
        when there is one, else the catalog's (a full scan, once per catalog state)."""
        if m is not None:
            lacking = {"no_date": int(np.isinf(m.days).sum()), "no_location": int(np.isnan(m.lat).sum())}
        else:
            version = self.archive.version()
            if self._lacking is None or self._lacking[0] != version:
                self._lacking = (version, count_lacking(self.archive.conn))
            lacking = self._lacking[1]
        out = {}
        if plan.date_ranges or plan.weekdays:
            out["no_date"] = lacking["no_date"]
        if plan.near:  # "not in Rome" and "echoes of Rome" keep the photos without a position
            out["no_location"] = lacking["no_location"]
        return out


def _sql_ranges(ranges) -> list[tuple[str, str]]:
    """Inclusive dates to [start, day after end) on the ISO text column."""
    return [(a, (date.fromisoformat(b) + timedelta(days=1)).isoformat()) for a, b in ranges]


def _inside(place: Place, lat, lon, country, region) -> np.ndarray:
    """Whether each photo is in the place: its stored country (and region), the box, or the circle."""
    if place.either:
        return np.logical_or.reduce([_inside(p, lat, lon, country, region) for p in place.places])
    if place.area:
        inside = country == place.country_code
        return inside & (region == place.region) if place.region else inside
    if place.box:
        return in_box(place.reach(), lat, lon)
    return haversine_m(place.lat, place.lon, lat, lon) <= place.radius_m


def _within(m: VectorMatrix, place: Place) -> np.ndarray:
    if place.either:
        return np.logical_or.reduce([_within(m, p) for p in place.places])
    if place.area:
        return _inside(place, m.lat, m.lon, m.country, m.region)
    box = in_box(place.reach(), m.lat, m.lon)
    if place.box:
        return box
    inside = np.zeros(len(m), dtype=bool)
    idx = np.flatnonzero(box)
    inside[idx] = haversine_m(place.lat, place.lon, m.lat[idx], m.lon[idx]) <= place.radius_m
    return inside


def keeper_blend(similarity: np.ndarray, keeper: np.ndarray, weight: float) -> np.ndarray:
    """(1 - weight) * relevance + weight * keeper score, relevance being similarity
    rescaled to 0..1 across the pool (so the weight means the same for any query);
    a photo without a keeper score (NaN) counts as the pool's average."""
    lo, hi = float(similarity.min()), float(similarity.max())
    relevance = (similarity - lo) / (hi - lo) if hi > lo else np.ones(len(similarity))
    known = ~np.isnan(keeper)
    keeper = np.where(known, keeper, keeper[known].mean() if known.any() else 0.5)
    return (1 - weight) * relevance + weight * keeper


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _window_years(plan: QueryPlan, m: VectorMatrix) -> int:
    """How many calendar years the question looks across: its dates', else the archive's."""
    if plan.date_ranges:
        years = set()
        for a, b in plan.date_ranges:
            years.update(range(int(a[:4]), int(b[:4]) + 1))
        return len(years)
    dated = m.days[np.isfinite(m.days)]
    if not len(dated):
        return 1
    first, last = period_keys(dated[[0, -1]], "year")
    return int(last - first + 1)


def _shuffled(n: int, plan: QueryPlan) -> np.ndarray:
    """A random order that is the same each time the question is asked, so that pages tile it."""
    seed = zlib.crc32(replace(plan, notes=(), limit=None, order=None).to_json().encode())
    return np.random.default_rng(seed).permutation(n)


def _by_time(days: np.ndarray, order: str) -> np.ndarray:
    """Indices in time order, the newest first for "newest"; undated photos last either way."""
    key = np.where(np.isfinite(days), -days if order == "newest" else days, np.inf)
    return np.argsort(key, kind="stable")


def _row_ids(rows: slice | np.ndarray) -> np.ndarray:
    return np.arange(rows.start, rows.stop) if isinstance(rows, slice) else rows


def _count(rows: slice | np.ndarray) -> int:
    return rows.stop - rows.start if isinstance(rows, slice) else len(rows)


def _threshold(all_scores: np.ndarray) -> float:
    """Scores stand out when they are Z_ALL deviations above the archive's mean for this query."""
    if len(all_scores) < 2:
        return -1.0
    return float(all_scores.mean() + Z_ALL * all_scores.std())

