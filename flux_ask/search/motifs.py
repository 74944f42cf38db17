"""Recurring motifs: groups of photos that look alike and come back across the years.

1. Candidates: the photos that best match the concept ("gestures"), or, with no
   concept, an even sample through time. At most PER_DAY per capture day, so that one
   afternoon's burst of forty frames cannot crowd out the years.
2. Clustering: average-linkage agglomerative clustering on cosine distance, cut where
   the members of a group are, on average, at least MOTIF_SIMILARITY alike. (It needs
   no number of clusters, and a group is exactly as coherent as its average pair.)
3. A motif recurs when its members fall in at least `min_years` distinct calendar years.
4. Motifs rank by coherence (the mean similarity of their pairs) times their spread
   (the share of the window's years they appear in), and, with a concept, times
   their relevance (their members' mean score over the best candidate's), so that
   a tight motif of something else does not outrank the concept's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CANDIDATES = 2_000  # photos clustered at most: linkage is quadratic (about 1 s at 2,000)
PER_DAY = 3  # candidates kept per capture day
MOTIF_SIMILARITY = 0.8  # the average cosine similarity of a motif's pairs, at least
MIN_MEMBERS = 3
ROW_MEMBERS = 8  # members shown per motif, spread over its years


@dataclass(frozen=True)
class Motif:
    rows: np.ndarray  # matrix rows of the shown members, ascending: in time order
    size: int  # members in all
    years: tuple[int, ...]  # the distinct years it appears in
    coherence: float
    spread: float
    relevance: float = 1.0

    @property
    def score(self) -> float:
        return self.coherence * self.spread * self.relevance


def candidates(scores: np.ndarray | None, rows: np.ndarray, days: np.ndarray, limit: int = CANDIDATES) -> np.ndarray:
    """Up to `limit` of `rows` (dated, in time order): the best scoring, or an even
    sample when there are no scores, with at most PER_DAY from any one day."""
    if scores is None:
        pick = rows[np.linspace(0, len(rows) - 1, min(len(rows), limit * 2)).astype(np.int64)] if len(rows) else rows
    else:
        best = np.argpartition(-scores, limit * 4)[:limit * 4] if len(scores) > limit * 4 else np.arange(len(scores))
        pick = rows[best[np.argsort(-scores[best], kind="stable")]]
    day = np.floor(days[pick]).astype(np.int64)
    order = np.argsort(day, kind="stable")  # keeps the score order within a day
    sorted_days = day[order]
    first_of_day = np.r_[0, np.flatnonzero(np.diff(sorted_days)) + 1]
    rank_in_day = np.arange(len(order)) - np.repeat(first_of_day, np.diff(np.r_[first_of_day, len(order)]))
    kept = np.sort(order[rank_in_day < PER_DAY])  # back in score (or time) order
    if scores is None and len(kept) > limit:  # an even sample through time, still
        kept = kept[np.linspace(0, len(kept) - 1, limit).astype(np.int64)]
    return pick[kept[:limit]]


def find_motifs(vectors: np.ndarray, rows: np.ndarray, years: np.ndarray, min_years: int, window_years: int,
                scores: np.ndarray | None = None, similarity: float = MOTIF_SIMILARITY) -> list[Motif]:
    """Motifs among `rows` (their vectors, calendar years and concept scores given in
    the same order), best first."""
    from scipy.cluster.hierarchy import (  # deferred: scipy costs a question ~0.3 s
        fcluster,
        linkage,
    )
    from scipy.spatial.distance import squareform

    if len(rows) < MIN_MEMBERS:
        return []
    x = np.asarray(vectors, dtype=np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    distances = np.clip(1.0 - x @ x.T, 0.0, 2.0)  # one matrix product, not two million pair loops
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - similarity, criterion="distance")
    motifs = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        seen = np.unique(years[members])
        if len(members) < MIN_MEMBERS or len(seen) < min_years:
            continue
        sims = x[members] @ x[members].T
        coherence = float((sims.sum() - len(members)) / (len(members) * (len(members) - 1)))
        shown = _spread_over_years(members, years, sims)
        relevance = 1.0 if scores is None else max(0.0, float(scores[members].mean() / max(scores.max(), 1e-9)))
        motifs.append(Motif(np.sort(rows[shown]), len(members), tuple(int(y) for y in seen), coherence,
                            min(1.0, len(seen) / max(1, window_years)), relevance))
    motifs.sort(key=lambda m: (-m.score, -m.size))
    return motifs


def _spread_over_years(members: np.ndarray, years: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Up to ROW_MEMBERS members: each year's most typical one first, then the next
    most typical of each year, and so on."""
    typical = np.argsort(-sims.mean(axis=1), kind="stable")
    by_year: dict[int, list[int]] = {}
    for i in typical:
        by_year.setdefault(int(years[members[i]]), []).append(int(members[i]))
    chosen: list[int] = []
    depth = 0
    while len(chosen) < ROW_MEMBERS and any(len(v) > depth for v in by_year.values()):
        chosen += [v[depth] for v in by_year.values() if len(v) > depth][:ROW_MEMBERS - len(chosen)]
        depth += 1
    return np.array(chosen, dtype=np.int64)
