"""Capture time, place and camera from EXIF, validated: junk reads as "unknown", never as data."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PIL import Image

EXIF_IFD = 0x8769
GPS_IFD = 0x8825

TAG_MAKE, TAG_MODEL, TAG_ORIENTATION, TAG_DATETIME = 0x010F, 0x0110, 0x0112, 0x0132
TAG_DATETIME_ORIGINAL, TAG_DATETIME_DIGITIZED = 0x9003, 0x9004
TAG_OFFSET_TIME_ORIGINAL, TAG_OFFSET_TIME_DIGITIZED, TAG_OFFSET_TIME = 0x9011, 0x9012, 0x9010
TAG_SUBSEC_ORIGINAL = 0x9291
TAG_LENS_MODEL = 0xA434

GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4
GPS_ALT_REF, GPS_ALT, GPS_TIMESTAMP, GPS_DATESTAMP = 5, 6, 7, 29

EARLIEST_YEAR = 1900  # film scans aside, nothing in a digital archive predates this
LATEST_SKEW = timedelta(days=2)  # a camera clock a day ahead is plausible; next year is not


@dataclass(frozen=True)
class PhotoMeta:
    orientation: int = 1
    taken_at: str | None = None
    taken_at_utc: str | None = None
    utc_offset_min: int | None = None
    taken_at_source: str = "file_mtime"
    utc_source: str | None = None
    lat: float | None = None
    lon: float | None = None
    altitude: float | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    lens: str | None = None

    def columns(self) -> dict[str, Any]:
        return asdict(self)


def read_meta(image: Image.Image, mtime_ns: int, now: datetime | None = None) -> PhotoMeta:
    """Everything we keep from an opened (not necessarily decoded) image's EXIF."""
    try:
        exif = image.getexif()
        ifd = exif.get_ifd(EXIF_IFD)
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # a broken EXIF block is no reason to lose the picture
        exif, ifd, gps = {}, {}, {}
    now = now or datetime.now(timezone.utc)

    lat, lon = gps_position(gps)
    when = capture_time(exif, ifd, gps, lat, lon, now)
    if when is None:
        when = _from_mtime(mtime_ns)
    return PhotoMeta(
        orientation=orientation_of(exif),
        lat=lat,
        lon=lon,
        altitude=gps_altitude(gps) if lat is not None else None,
        camera_make=_text(exif.get(TAG_MAKE)),
        camera_model=_text(exif.get(TAG_MODEL)),
        lens=_text(ifd.get(TAG_LENS_MODEL)),
        **when,
    )


def orientation_of(exif: Any) -> int:
    try:
        value = int(exif.get(TAG_ORIENTATION, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


# -- time -----------------------------------------------------------------------------

_DATETIME = re.compile(r"^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


def parse_exif_datetime(value: Any, now: datetime) -> datetime | None:
    """A naive local datetime, or None for blanks, zeros, impossible or far-future values."""
    text = _text(value)
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
    match = _OFFSET.match(_text(value) or "")
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14):
        return None
    return -delta if sign == "-" else delta


def capture_time(exif, ifd, gps, lat, lon, now: datetime) -> dict[str, Any] | None:
    for source, tag, where, offset_tag in (
        ("DateTimeOriginal", TAG_DATETIME_ORIGINAL, ifd, TAG_OFFSET_TIME_ORIGINAL),
        ("DateTimeDigitized", TAG_DATETIME_DIGITIZED, ifd, TAG_OFFSET_TIME_DIGITIZED),
        ("DateTime", TAG_DATETIME, exif, TAG_OFFSET_TIME),
    ):
        local = parse_exif_datetime(where.get(tag), now)
        if local is None:
            continue
        if source == "DateTimeOriginal":
            local = local.replace(microsecond=_subsec_us(ifd.get(TAG_SUBSEC_ORIGINAL)))
        offset, utc_source = _utc_offset(local, ifd.get(offset_tag), gps, lat, lon)
        return _times(local, offset, source, utc_source)
    return None


def _utc_offset(local: datetime, offset_text, gps, lat, lon) -> tuple[timedelta | None, str | None]:
    """The offset from UTC: stated by the camera, implied by the GPS clock, or from the
    time zone at the GPS position, in that order of trust."""
    offset = parse_offset(offset_text)
    if offset is not None:
        return offset, "OffsetTimeOriginal"
    gps_utc = gps_time(gps)
    if gps_utc is not None:
        delta = local - gps_utc
        quarter_hours = round(delta / timedelta(minutes=15))
        # a GPS fix logged minutes off the shutter still pins the zone; days off does not
        if abs(delta - quarter_hours * timedelta(minutes=15)) <= timedelta(minutes=5) and abs(
            quarter_hours
        ) <= 14 * 4:
            return quarter_hours * timedelta(minutes=15), "gps_time"
    if lat is not None and lon is not None:
        zone = zone_at(lat, lon)
        if zone is not None:
            return zone.utcoffset(local), "gps_timezone"
    return None, None


def gps_time(gps) -> datetime | None:
    date = _text(gps.get(GPS_DATESTAMP))
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


def _times(local: datetime, offset: timedelta | None, source: str, utc_source: str | None) -> dict:
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


def _from_mtime(mtime_ns: int) -> dict[str, Any]:
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


def _subsec_us(value: Any) -> int:
    digits = re.sub(r"\D", "", _text(value) or "")[:6]
    return int(digits.ljust(6, "0")) if digits else 0


# -- place ----------------------------------------------------------------------------

def gps_position(gps) -> tuple[float | None, float | None]:
    """Decimal degrees, or (None, None) for NaN, (0, 0), out-of-range or unreferenced fixes."""
    lat = _degrees(gps.get(GPS_LAT), _text(gps.get(GPS_LAT_REF)), "NS")
    lon = _degrees(gps.get(GPS_LON), _text(gps.get(GPS_LON_REF)), "EW")
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


def gps_altitude(gps) -> float | None:
    try:
        altitude = _number(gps.get(GPS_ALT))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(altitude) or abs(altitude) > 20_000:
        return None
    ref = gps.get(GPS_ALT_REF)
    below = ref in (1, b"\x01", "1")
    return -altitude if below else altitude


# -- helpers --------------------------------------------------------------------------

def _number(value) -> float:
    if value is None:
        raise TypeError("no value")
    if isinstance(value, tuple) and len(value) == 2:  # a bare (numerator, denominator)
        return value[0] / value[1] if value[1] else math.nan
    return float(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text or None
