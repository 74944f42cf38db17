"""Great-circle distances and the bounding boxes that pre-filter them."""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1, lon1, lat2, lon2):
    """Metres between points; works on floats and numpy arrays alike."""
    lat1, lon1, lat2, lon2 = (np.radians(x) for x in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(lat_min, lat_max, lon_min, lon_max) holding every point within radius_m, a little
    generous. lon_min > lon_max when the box crosses the antimeridian."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M) * 1.001
    lat_min, lat_max = lat - dlat, lat + dlat
    if lat_min <= -90 or lat_max >= 90:  # a pole inside: every longitude
        return max(lat_min, -90.0), min(lat_max, 90.0), -180.0, 180.0
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(max(abs(lat_min), abs(lat_max))))))
    dlon *= 1.001
    if dlon >= 180:
        return lat_min, lat_max, -180.0, 180.0
    lon_min, lon_max = lon - dlon, lon + dlon
    if lon_min < -180:
        lon_min += 360
    if lon_max > 180:
        lon_max -= 360
    return lat_min, lat_max, lon_min, lon_max
