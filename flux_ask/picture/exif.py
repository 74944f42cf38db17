"""EXIF's values read and validated: dates, offsets, GPS positions and clocks, the time
zone at a place. Junk reads as "unknown", never as data (picture/metadata.py reads the tags)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The GPS IFD's tags, by number (as Pillow and the EXIF standard name them)
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
GPS_ALT_REF, GPS_ALT, GPS_TIMESTAMP, GPS_DATESTAMP = 5, 6, 7, 29

EARLIEST_YEAR = 1900  # film scans aside, nothing in a digital archive predates this
LATEST_SKEW = timedelta(days=2)  # a camera clock a day ahead is plausible; next year is not


# -- time -----------------------------------------------------------------------------

_DATETIME = re.compile(r"^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


def parse_exif_datetime(value: Any, now: datetime) -> datetime | None:
    """A naive local datetime, or None for blanks, zeros, impossible or far-future values."""
    text = text_of(value)
    if not text:
        return None
    match = _DATETIME.match(text)
    if not match:
        return None
    try:
        parsed = datetime(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    if parsed.year < EARLIEST_YEAR or parsed > now.replace(tzinfo=None) + LATEST_SKEW:
        return None
    return parsed


def parse_offset(value: Any) -> timedelta | None:
    match = _OFFSET.match(text_of(value) or "")
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return None
    return -delta if sign == "-" else delta


def gps_time(gps) -> datetime | None:
    date = text_of(gps.get(GPS_DATESTAMP))
    stamp = gps.get(GPS_TIMESTAMP)
    if not date or not stamp:
        return None
    match = re.match(r"^\s*(\d{4})[:\-](\d{2})[:\-](\d{2})", date)
    try:
        h, m, s = (_number(v) for v in stamp)
        if not match or any(math.isnan(v) for v in (h, m, s)):
            return None
        base = datetime(*(int(g) for g in match.groups()))
        return base + timedelta(hours=h, minutes=m, seconds=s)
    except (TypeError, ValueError, OverflowError):
        return None


@lru_cache(maxsize=1)
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


@lru_cache(maxsize=4096)
def zone_at(lat: float, lon: float) -> ZoneInfo | None:
    try:
        name = _finder().timezone_at(lng=lon, lat=lat)
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def times(local: datetime, offset: timedelta | None, source: str, utc_source: str | None) -> dict:
    utc = None
    if offset is not None:
        utc = (local - offset).replace(tzinfo=timezone.utc).isoformat()
    return {
        "taken_at": local.isoformat(),
        "taken_at_utc": utc,
        "utc_offset_min": int(offset.total_seconds() // 60) if offset is not None else None,
        "taken_at_source": source,
        "utc_source": utc_source,
    }


def times_from_mtime(mtime_ns: int) -> dict[str, Any]:
    """The file's modification time, marked as a fallback: an instant, shown in the
    machine's local zone."""
    instant = datetime.fromtimestamp(mtime_ns / 1e9, tz=timezone.utc)
    local = instant.astimezone()
    return {
        "taken_at": local.replace(tzinfo=None).isoformat(),
        "taken_at_utc": instant.isoformat(),
        "utc_offset_min": int(local.utcoffset().total_seconds() // 60),
        "taken_at_source": "file_mtime",
        "utc_source": "file_mtime",
    }


# -- place ----------------------------------------------------------------------------

def gps_position(gps) -> tuple[float | None, float | None]:
    """Decimal degrees, or (None, None) for NaN, (0, 0), out-of-range or unreferenced fixes."""
    lat = _degrees(gps.get(GPS_LAT), text_of(gps.get(GPS_LAT_REF)), "NS")
    lon = _degrees(gps.get(GPS_LON), text_of(gps.get(GPS_LON_REF)), "EW")
    if lat is None or lon is None:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if lat == 0 and lon == 0:  # the null island of unset GPS chips
        return None, None
    return lat, lon


def _degrees(value, ref: str | None, refs: str) -> float | None:
    if value is None or not ref or ref.upper()[:1] not in refs:
        return None
    try:
        parts = [_number(v) for v in (value if isinstance(value, (tuple, list)) else (value,))]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not parts or len(parts) > 3 or any(not math.isfinite(p) or p < 0 for p in parts):
        return None
    degrees = sum(p / 60**i for i, p in enumerate(parts))
    return -degrees if ref.upper()[:1] == refs[1] else degrees


def gps_position_of(tags) -> tuple[float | None, float | None]:
    """gps_position of exiv2's tags (picture/metadata.py's Tags)."""
    return gps_position({GPS_LAT_REF: tags.text("Exif.GPSInfo.GPSLatitudeRef"),
                         GPS_LAT: tags.rationals("Exif.GPSInfo.GPSLatitude"),
                         GPS_LON_REF: tags.text("Exif.GPSInfo.GPSLongitudeRef"),
                         GPS_LON: tags.rationals("Exif.GPSInfo.GPSLongitude")})


def gps_time_of(tags) -> datetime | None:
    """gps_time of exiv2's tags."""
    return gps_time({GPS_DATESTAMP: tags.text("Exif.GPSInfo.GPSDateStamp"),
                     GPS_TIMESTAMP: tags.rationals("Exif.GPSInfo.GPSTimeStamp")})


# -- helpers --------------------------------------------------------------------------

def _number(value) -> float:
    if value is None:
        raise TypeError("no value")
    if isinstance(value, tuple) and len(value) == 2:  # a bare (numerator, denominator)
        return value[0] / value[1] if value[1] else math.nan
    return float(value)


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None
