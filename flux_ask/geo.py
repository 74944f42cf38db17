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


Box = tuple[float, float, float, float]  # (lat_min, lat_max, lon_min, lon_max); lon_min > lon_max across 180°


def bounding_box(lat: float, lon: float, radius_m: float) -> Box:
    """The box holding every point within radius_m, a little generous."""
    return grow_box((lat, lat, lon, lon), radius_m)


def grow_box(box: Box, margin_m: float) -> Box:
    """The box holding every point within margin_m of `box`, a little generous."""
    south, north, west, east = box
    dlat = math.degrees(margin_m / EARTH_RADIUS_M) * 1.001
    lat_min, lat_max = south - dlat, north + dlat
    if lat_min <= -90 or lat_max >= 90:  # a pole inside: every longitude
        return max(lat_min, -90.0), min(lat_max, 90.0), -180.0, 180.0
    dlon = math.degrees(margin_m / (EARTH_RADIUS_M * math.cos(math.radians(max(abs(lat_min), abs(lat_max))))))
    dlon *= 1.001
    if (east - west) % 360 + 2 * dlon >= 360:
        return lat_min, lat_max, -180.0, 180.0
    lon_min, lon_max = west - dlon, east + dlon
    if lon_min < -180:
        lon_min += 360
    if lon_max > 180:
        lon_max -= 360
    return lat_min, lat_max, lon_min, lon_max


def in_box(box: Box, lat, lon):
    """Whether each point is inside the box (NaN positions are not); floats or arrays."""
    lat_min, lat_max, lon_min, lon_max = box
    with np.errstate(invalid="ignore"):
        inside = (lat >= lat_min) & (lat <= lat_max)
        across = (lon >= lon_min) & (lon <= lon_max) if lon_min <= lon_max else (lon >= lon_min) | (lon <= lon_max)
    return inside & across
