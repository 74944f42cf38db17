"""Capture days to periods (year, season or month), for whole columns at once: a
400,000-photo archive is labelled in milliseconds, not in a Python loop."""

from __future__ import annotations

import numpy as np

# Seasons are meteorological and named by the year of their January (query/dates.py):
# index 0 is December-February, 1 March-May, 2 June-August, 3 September-November.
SEASON_NAMES = {"north": ("winter", "spring", "summer", "autumn"),
                "south": ("summer", "autumn", "winter", "spring")}


def period_keys(days: np.ndarray, unit: str) -> np.ndarray:
    """An integer per finite day (days since 1970) that sorts in time order and is equal
    within a period."""
    moments = np.floor(days).astype(np.int64).astype("datetime64[D]")
    months = moments.astype("datetime64[M]").astype(np.int64)  # months since Jan 1970
    if unit == "year":
        return months // 12 + 1970
    if unit == "month":
        return months
    if unit == "season":
        return (months + 1) // 3  # December joins the next January and February
    raise ValueError(f"no such period: {unit}")


def period_label(key: int, unit: str, hemisphere: str = "north") -> str:
    if unit == "year":
        return str(key)
    if unit == "month":
        return f"{1970 + key // 12}-{key % 12 + 1:02d}"
    first_month = key * 3 - 1  # months since Jan 1970 of the season's first month
    named_by = 1970 + (first_month + 1) // 12  # the year of its January
    return f"{named_by} {SEASON_NAMES[hemisphere][(first_month + 1) // 3 % 4]}"
