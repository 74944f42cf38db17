"""What the online geocoder answered for each place name, and when."""

from __future__ import annotations

import apsw

from flux_ask.db.sql import now_iso


def cached_place(conn: apsw.Connection, name: str, misses_since: str) -> tuple | None:
    """(label, lat, lon, radius_m) for a name the geocoder found, (None,) * 4 for one it
    did not know after `misses_since`, or None if it was never asked (or asked too long ago)."""
    row = conn.execute(
        "SELECT label, lat, lon, radius_m, fetched_at FROM geocode_cache WHERE name = ?", (name,)
    ).fetchone()
    if row is None or (row[0] is None and row[4] < misses_since):
        return None
    return row[:4]


def cache_place(conn: apsw.Connection, name: str, found: tuple | None) -> None:
    label, lat, lon, radius_m = found or (None, None, None, None)
    with conn:
        conn.execute(
            "INSERT INTO geocode_cache (name, label, lat, lon, radius_m, fetched_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET label = excluded.label, lat = excluded.lat, lon = excluded.lon, "
            "radius_m = excluded.radius_m, fetched_at = excluded.fetched_at",
            (name, label, lat, lon, radius_m, now_iso()),
        )
