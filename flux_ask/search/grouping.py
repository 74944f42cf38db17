"""What a grouped answer groups by: a period of time (year, season, month), a day of the
week, an hour of the day, or what the catalog keeps of each photo (camera, lens, country,
region, place). Keys for whole columns at once; -1 where a photo has no value."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from flux_ask.periods import period_keys, period_label
from flux_ask.query.dates import DAY_NAMES
from flux_ask.query.plan import PERIODS

IN_ORDER = (*PERIODS, "weekday", "hour")  # groups shown in their own order; the others by their score


def group_keys(by: str, days: np.ndarray, photo_ids: np.ndarray, labels: Callable[[str], dict[int, str]],
               hemisphere: str) -> tuple[np.ndarray, dict[int, str]]:
    """(a key per photo, -1 for none; each key's label) for grouping by `by`. `days` are day
    numbers with the time of day as their fraction (inf: undated); `labels(by)` the catalog's
    words for a column grouping, by photo id."""
    dated = np.isfinite(days)
    keys = np.full(len(days), -1, dtype=np.int64)
    if by in PERIODS:
        keys[dated] = period_keys(days[dated], by)
        return keys, {int(k): period_label(int(k), by, hemisphere) for k in np.unique(keys[dated])}
    if by == "weekday":
        keys[dated] = (np.floor(days[dated]).astype(np.int64) + 3) % 7  # day 0, 1970-01-01, was a Thursday
        return keys, {k: DAY_NAMES[k] for k in range(7)}
    if by == "hour":
        keys[dated] = np.floor((days[dated] - np.floor(days[dated])) * 24 + 1e-9).astype(np.int64) % 24
        return keys, {h: f"{h:02d}:00-{h:02d}:59" for h in range(24)}
    named = labels(by)
    names = np.array([named.get(int(p), "") for p in photo_ids], dtype=object)
    found = names != ""
    unique, inverse = np.unique(names[found].astype(str), return_inverse=True)
    keys[np.flatnonzero(found)] = inverse
    return keys, {k: str(label) for k, label in enumerate(unique)}
