"""What the online geocoder answered for each place name, and when."""

from __future__ import annotations

import apsw

from flux_ask.db.sql import now_iso

# (label, lat, lon, radius_m, box): box is (south, north, west, east) or None; every
# field None for a name the geocoder did not know
Found = tuple


def cached_place(conn: apsw.Connection, name: str, misses_since: str) -> Found | None:
    """What the geocoder said of a name, or None if it was never asked (or a miss came
    before `misses_since`)."""
    row = conn.execute(
        "SELECT label, lat, lon, radius_m, south, north, west, east, fetched_at FROM geocode_cache WHERE name = ?",
        (name,),
    ).fetchone()
    if row is None or (row[0] is None and row[8] < misses_since):
        return None
    return (*row[:4], tuple(row[4:8]) if row[4] is not None else None)


def cache_place(conn: apsw.Connection, name: str, found: Found | None) -> None:
    label, lat, lon, radius_m, box = found or (None,) * 5
    with conn:
        conn.execute(
            "INSERT INTO geocode_cache (name, label, lat, lon, radius_m, south, north, west, east, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET label = excluded.label, lat = excluded.lat, lon = excluded.lon, "
            "radius_m = excluded.radius_m, south = excluded.south, north = excluded.north, west = excluded.west, "
            "east = excluded.east, fetched_at = excluded.fetched_at",
            (name, label, lat, lon, radius_m, *(box or (None,) * 4), now_iso()),
        )
