"""Everything a photo's files say about it, through exiv2 (EXIF, maker notes, IPTC and XMP, in
the file and in a sidecar beside it), validated: junk reads as "unknown", never as data.

Read only: exiv2 opens the original and its sidecar for reading and nothing here writes.
Capture time comes from the first sound date of DATE_SOURCES; its offset from UTC from a
tag that states one, else the GPS clock, else the time zone at the GPS position.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from PIL import Image

from flux_ask.picture.exif import (
    gps_position_of,
    gps_time_of,
    parse_exif_datetime,
    parse_offset,
    text_of,
    times,
    times_from_mtime,
    zone_at,
)

META_VERSION = 1  # bump when the reader reads more: the next index reads every photo again

# Where capture time may be written, most trusted first: the camera's own, then what photo
# software keeps (often the only date of a scan or an export), then a modify time.
DATE_SOURCES: tuple[tuple[str, str, str | None], ...] = (
    # (tag, what it is called in the catalog, the tag stating its offset)
    ("Exif.Photo.DateTimeOriginal", "DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),
    ("Xmp.photoshop.DateCreated", "XMP photoshop:DateCreated", None),
    ("Xmp.exif.DateTimeOriginal", "XMP exif:DateTimeOriginal", None),
    ("Xmp.xmp.CreateDate", "XMP xmp:CreateDate", None),
    ("Iptc.Application2.DateCreated", "IPTC DateCreated", None),
    ("Exif.Photo.DateTimeDigitized", "DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized"),
    ("PNG Creation Time", "PNG Creation Time", None),
    ("Exif.Image.DateTime", "DateTime", "Exif.Photo.OffsetTime"),
)
# Offsets stated apart from a date: the general one, then the cameras' own clocks' zones
OFFSET_TAGS = ("Exif.Photo.OffsetTime", "Exif.Photo.OffsetTimeOriginal")
LENS_TAGS = ("Exif.Photo.LensModel", "Exif.Canon.LensModel", "Exif.OlympusEq.LensModel")
# A lens as photo software writes it, often only its focal range: after the camera's own names
SOFTWARE_LENS_TAGS = ("Xmp.aux.Lens", "Xmp.exifEX.LensModel")
# The maker notes' lens ids, as exiv2's own lensName looks for them (called directly, it
# crashes on a file without EXIF)
MAKER_LENS_IDS = ("Exif.CanonCs.LensType", "Exif.NikonLd1.LensIDNumber", "Exif.NikonLd2.LensIDNumber",
                  "Exif.NikonLd3.LensIDNumber", "Exif.NikonLd4.LensID", "Exif.Pentax.LensType",
                  "Exif.PentaxDng.LensType", "Exif.Minolta.LensID", "Exif.SonyMinolta.LensID", "Exif.Sony1.LensID",
                  "Exif.Sony2.LensID", "Exif.Sony2010e.LensType2", "Exif.OlympusEq.LensType",
                  "Exif.Panasonic.LensType", "Exif.Samsung2.LensType")
JUNK_TEXT = {"", "----", "unknown", "n/a", "none", "null", "-", "(0)", "0", "unknown lens", "[none]"}
# Captions cameras write on their own: no one's words
CAMERA_CAPTIONS = re.compile(r"^(olympus digital camera|sony dsc|digital camera|default|camera|"
                             r"kodak .*|minolta .*|sanyo .*|jpeg|exif_jpeg_\d+|\s*)$", re.IGNORECASE)
COLOUR_LABELS = ("red", "orange", "yellow", "green", "blue", "purple", "magenta", "gray", "black", "white")
DIGIKAM_COLOURS = {1: "red", 2: "orange", 3: "yellow", 4: "green", 5: "blue", 6: "magenta", 7: "gray", 8: "black",
                   9: "white"}
DARKTABLE_COLOURS = {0: "red", 1: "yellow", 2: "green", 3: "blue", 4: "purple"}
APEX_MAX = 30  # an APEX value beyond this is junk


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
    focal_mm: float | None = None
    focal_35mm: float | None = None
    f_number: float | None = None
    exposure_s: float | None = None
    iso: int | None = None
    flash: bool | None = None
    # the photographer's marks: embedded XMP and IPTC, a sidecar's winning
    rating: int | None = None  # 0-5; -1 rejected
    pick: int | None = None  # 1 picked, -1 rejected
    color_label: str | None = None
    title: str | None = None
    caption: str | None = None
    keywords: tuple[str, ...] = field(default=())  # hierarchical ones as paths: "places/Lund"

    def columns(self) -> dict[str, Any]:
        """The photos table's columns (keywords live in a table of their own)."""
        data = asdict(self)
        del data["keywords"]
        return data


class Tags:
    """One photo's metadata as exiv2 read it: the file's EXIF, IPTC and XMP, and a sidecar's XMP."""

    def __init__(self, image=None, sidecar=None, extra: dict[str, str] | None = None):
        self._opened = (image, sidecar)  # the data below live inside these: they must outlive it
        self.exif = image.exifData() if image is not None else None
        self.iptc = image.iptcData() if image is not None else None
        self.xmp = image.xmpData() if image is not None else None
        self.sidecar = sidecar.xmpData() if sidecar is not None else None
        self.extra = extra or {}  # what only Pillow reads: a PNG's text chunks

    def add_exif(self, block) -> None:
        """The EXIF of an opened block, as the file's own."""
        if block is not None:
            self._opened += (block,)
            self.exif = block.exifData()

    def add_xmp(self, packet) -> None:
        """The XMP of an opened packet, as the file's own."""
        if packet is not None:
            self._opened += (packet,)
            self.xmp = packet.xmpData()

    def datum(self, key: str):
        """The datum of `key`, a sidecar's before the file's own; None when absent."""
        exiv2 = _exiv2()
        if key.startswith("Exif."):
            places, make_key = (self.exif,), exiv2.ExifKey
        elif key.startswith("Iptc."):
            places, make_key = (self.iptc,), exiv2.IptcKey
        else:
            places, make_key = (self.sidecar, self.xmp), exiv2.XmpKey
        for data in places:
            if data is None:
                continue
            try:  # findKey, not `in`: an unknown XMP prefix raises here rather than abort the process
                found = data.findKey(make_key(key))
            except Exception:  # noqa: BLE001 - exiv2's error for a key it does not know
                return None
            if found != data.end():
                return found
        return None

    def text(self, key: str) -> str | None:
        if key in self.extra:
            return clean_text(self.extra[key])
        found = self.datum(key)
        if found is None:
            return None
        value = found.toString()
        if key.startswith("Xmp.") and value.startswith("lang="):  # a language alternative: its first
            value = found.value().toString(0)
        return clean_text(value)

    def number(self, key: str) -> float | None:
        """The first value of a numeric tag ("9/5" is 1.8); None when absent or not a number."""
        found = self.datum(key)
        if found is None or found.count() == 0:
            return None
        try:
            if key.startswith("Exif.") and found.typeName() in ("Rational", "SRational"):
                top, bottom = found.toRational(0)
                value = top / bottom
            elif key.startswith("Exif."):
                value = found.toFloat(0)
            else:
                top, _, bottom = found.toString().strip().partition("/")
                value = float(top) / float(bottom) if bottom else float(top)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return None
        return value if math.isfinite(value) else None

    def rationals(self, key: str) -> list[float] | None:
        """Every value of an EXIF rational tag (GPS degrees, minutes, seconds)."""
        found = self.datum(key)
        if found is None:
            return None
        out = []
        try:
            for i in range(found.count()):
                top, bottom = found.toRational(i)
                out.append(top / bottom if bottom else math.nan)
        except Exception:  # noqa: BLE001 - a GPS tag of another type: no position, not a lost photo
            return None
        return out

    def texts(self, key: str) -> list[str]:
        """Every value of a bag (XMP) or a repeated tag (IPTC)."""
        if key.startswith("Iptc."):
            return [t for d in self.iptc if d.key() == key if (t := clean_text(d.toString()))] if self.iptc else []
        found = self.datum(key)
        if found is None:
            return []
        return [t for i in range(found.count()) if (t := clean_text(found.toString(i)))]

    def printed(self, datum) -> str | None:
        """A maker note's value as exiv2 names it (a lens id as the lens)."""
        try:
            return clean_text(datum.print(self.exif))
        except Exception:  # noqa: BLE001 - a maker note exiv2 cannot print is no lens
            return None


MAX_TEXT_CHARS = 2_000  # IPTC's longest field (a caption); a longer text is cut there
MAX_KEYWORDS = 500


def clean_text(value: Any) -> str | None:
    """Text cut at its first NUL (what follows is a fixed-size field's garbage), trimmed, and
    no longer than MAX_TEXT_CHARS."""
    text = text_of(value)
    if text is None:
        return None
    text = text.split("\x00", 1)[0][:MAX_TEXT_CHARS].strip()
    return text if text and text.lower() not in JUNK_TEXT and "\ufffd" not in text else None


def read_meta(path: str, image: Image.Image | None, mtime_ns: int, *, sidecar: str | None = None,
              heif: bool = False, now: datetime | None = None) -> PhotoMeta:
    """Everything kept of a photo: its file through exiv2 (else the EXIF Pillow found), its
    sidecar. `image` is the opened picture (for what only Pillow reads); `heif` says that its
    decoder has turned it upright already where the container says how. Metadata no reader
    makes sense of leaves the photo with its file's time: a broken block loses no picture."""
    try:
        return _read_meta(path, image, mtime_ns, sidecar, heif, now)
    except (OSError, MemoryError):
        raise  # the disk's fault or the machine's: the run says so, and the file is tried again
    except Exception:  # noqa: BLE001 - exiv2's errors, and values of types no camera should write
        return PhotoMeta(**times_from_mtime(mtime_ns))


def _read_meta(path, image, mtime_ns, sidecar, heif, now) -> PhotoMeta:
    exiv2 = _exiv2()
    tags = Tags(_open(exiv2, path, image), _open(exiv2, sidecar, None) if sidecar else None,
                _png_text(image))
    if (tags.exif is None or tags.exif.empty()) and (block := _exif_block(image)):
        tags.add_exif(_open(exiv2, block, None))  # EXIF where exiv2 does not look (some HEIFs)
    if (tags.xmp is None or tags.xmp.empty()) and (packet := _stray_xmp(image)):
        tags.add_xmp(_open(exiv2, packet, None))
    now = now or datetime.now(timezone.utc)
    lat, lon = gps_position_of(tags)
    when = capture_time(tags, lat, lon, now) or times_from_mtime(mtime_ns)
    return PhotoMeta(
        orientation=_heif_orientation(path, image, tags) if heif else orientation_of(tags),
        lat=lat,
        lon=lon,
        altitude=_altitude(tags) if lat is not None else None,
        camera_make=tags.text("Exif.Image.Make") or tags.text("Xmp.tiff.Make"),
        camera_model=tags.text("Exif.Image.Model") or tags.text("Xmp.tiff.Model"),
        lens=lens_of(tags),
        **exposure_of(tags),
        **marks_of(tags),
        **when,
    )


@lru_cache(maxsize=1)
def _exiv2():
    import exiv2

    exiv2.LogMsg.setLevel(exiv2.LogMsg.Level.mute)  # its warnings would reach the user's terminal
    for prefix, uri in EXTRA_NAMESPACES.items():
        try:
            exiv2.XmpProperties.ns(prefix)
        except Exception:  # noqa: BLE001 - not known yet: say it
            exiv2.XmpProperties.registerNs(uri, prefix)
    return exiv2


EXTRA_NAMESPACES = {"darktable": "http://darktable.sf.net/"}  # editors' namespaces exiv2 does not know


def _open(exiv2, path: str | None, image: Image.Image | None):
    """exiv2's reading of a file; for a file it cannot read, of the EXIF block Pillow found."""
    for source in (path, _exif_block(image)):
        if not source:
            continue
        try:
            opened = exiv2.ImageFactory.open(source)
            opened.readMetadata()
            return opened
        except Exception:  # noqa: BLE001 - exiv2.Exiv2Error and friends: unreadable metadata, not a lost photo
            continue
    return None


def _exif_block(image: Image.Image | None) -> bytes | None:
    """The EXIF Pillow read (a TIFF structure exiv2 opens from memory)."""
    block = image.info.get("exif") if image is not None else None
    if not isinstance(block, bytes):
        return None
    return block[6:] if block.startswith(b"Exif\x00\x00") else block


def _stray_xmp(image: Image.Image | None) -> bytes | None:
    """An XMP packet in a JPEG segment exiv2 passed over (a mangled signature, as some Mac
    software writes): exiftool reads it, and so do we."""
    for marker, payload in getattr(image, "applist", ()):
        at = payload.find(b"<x:xmpmeta") if marker == "APP1" else -1
        if at >= 0:
            start = payload.rfind(b"<?xpacket", 0, at)
            return payload[start if start >= 0 else at:]
    return None


def _png_text(image: Image.Image | None) -> dict[str, str]:
    if image is None or image.format != "PNG":
        return {}
    stamp = image.info.get("Creation Time") or image.info.get("creation time")
    return {"PNG Creation Time": str(stamp)} if stamp else {}


def _heif_orientation(path: str, image: Image.Image | None, tags: Tags) -> int:
    """A HEIF's decoder turns the picture as the container says (irot, imir), and the EXIF
    orientation then only repeats it; without them, the EXIF orientation rules (pillow-heif
    keeps it as "original_orientation", having set the EXIF's to 1)."""
    if _heif_transforms(path):
        return 1
    kept = image.info.get("original_orientation") if image is not None else None
    return kept if isinstance(kept, int) and 1 <= kept <= 8 else orientation_of(tags)


def _heif_transforms(path: str) -> bool:
    """Whether the HEIF's meta box (before or after the picture data) holds irot or imir."""
    try:
        with open(path, "rb") as handle:
            while True:
                header = handle.read(8)
                if len(header) < 8:
                    return False
                size, kind, head = int.from_bytes(header[:4], "big"), header[4:], 8
                if size == 1:  # a 64-bit size follows
                    size, head = int.from_bytes(handle.read(8), "big"), 16
                if kind == b"meta":
                    body = handle.read(min(size - head, 1 << 20) if size else 1 << 20)
                    return b"irot" in body or b"imir" in body
                if size < head:  # 0: to the end of the file; less: broken. No meta box either way
                    return False
                handle.seek(size - head, 1)
    except OSError:
        return True  # the decoder's word stands


def orientation_of(tags: Tags) -> int:
    try:
        value = int(tags.number("Exif.Image.Orientation") or tags.number("Xmp.tiff.Orientation") or 1)
    except (TypeError, ValueError, OverflowError):
        return 1
    return value if 1 <= value <= 8 else 1


# -- time -----------------------------------------------------------------------------

_XMP_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d+))?)?"
                       r"\s*(Z|[+-]\d{2}:?\d{2})?\s*$")


def capture_time(tags: Tags, lat, lon, now: datetime) -> dict[str, Any] | None:
    for key, source, offset_key in DATE_SOURCES:
        found = _date(tags, key, now)
        if found is None:
            continue
        local, stated = found
        offset, utc_source = stated, source if stated is not None else None
        if offset is None and offset_key:
            offset, utc_source = parse_offset(tags.text(offset_key)), offset_key.rsplit(".", 1)[1]
        if offset is None:
            offset, utc_source = _offset_elsewhere(tags, local, lat, lon, now)
        if utc_source and not utc_source.startswith("Offset"):
            # a zone photo software or a maker note states (Photoshop writes +00:00 where it knows
            # none) yields to the GPS clock's measure of the same moment
            clock = _gps_clock_offset(tags, local)
            if clock is not None and clock != offset:
                offset, utc_source = clock, "gps_time"
        return times(local, offset, source, utc_source if offset is not None else None)
    return None


def _date(tags: Tags, key: str, now: datetime) -> tuple[datetime, timedelta | None] | None:
    """(local time, the offset the value itself states) of one date tag, if sound."""
    text = tags.text(key)
    if text is None:
        return None
    if key == "Exif.Photo.DateTimeOriginal":
        local = parse_exif_datetime(text, now)
        return (local.replace(microsecond=_subsec_us(tags.text("Exif.Photo.SubSecTimeOriginal"))), None) \
            if local else None
    if key.startswith("Exif."):
        local = parse_exif_datetime(text, now)
        return (local, None) if local else None
    if key == "Iptc.Application2.DateCreated":
        clock = tags.text("Iptc.Application2.TimeCreated") or ""
        text = f"{text}T{clock}" if clock else text
    elif key == "PNG Creation Time":
        return _png_date(text, now)
    return _iso_date(text, now)


def _iso_date(text: str, now: datetime) -> tuple[datetime, timedelta | None] | None:
    """XMP and IPTC dates: "2011-02-10T21:10:08-08:00", "2015-02-17T17:30:01+00:00", or a
    date alone (noon is no truer than midnight, so a date alone is taken at midnight)."""
    match = _XMP_DATE.match(text.replace(":", "-", 2) if re.match(r"^\d{4}:\d{2}:\d{2}", text) else text)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    local = parse_exif_datetime(f"{year}:{month}:{day} {hour or '00'}:{minute or '00'}:{second or '00'}", now)
    if local is None:
        return None
    if fraction:
        local = local.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    if zone == "Z":
        return local, timedelta(0)
    return local, parse_offset(zone) if zone else None


def _png_date(text: str, now: datetime) -> tuple[datetime, timedelta | None] | None:
    """PNG's "Creation Time" is free text: RFC 1123 by the spec, ISO 8601 or EXIF's form in practice."""
    from email.utils import parsedate_to_datetime

    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return _iso_date(text, now) or ((local, None) if (local := parse_exif_datetime(text, now)) else None)
    local = parse_exif_datetime(stamp.strftime("%Y:%m:%d %H:%M:%S"), now)
    return (local, stamp.utcoffset()) if local else None


def _offset_elsewhere(tags: Tags, local: datetime, lat, lon, now: datetime) -> tuple[timedelta | None, str | None]:
    """An offset no tag of the date states: another tag's, a dated XMP copy of the same
    moment, the camera's own zone, the GPS clock, or the zone at the position."""
    for key in OFFSET_TAGS:
        offset = parse_offset(tags.text(key))
        if offset is not None:
            return offset, key.rsplit(".", 1)[1]
    for key, source, _ in DATE_SOURCES:
        if key.startswith(("Xmp.", "Iptc.")):
            found = _date(tags, key, now)
            if found and found[1] is not None and abs(found[0] - local) < timedelta(minutes=1):
                return found[1], source
    camera = _camera_zone(tags)
    if camera is not None:
        return camera
    clock = _gps_clock_offset(tags, local)
    if clock is not None:
        return clock, "gps_time"
    if lat is not None and lon is not None:
        zone = zone_at(lat, lon)
        if zone is not None:
            return zone.utcoffset(local), "gps_timezone"
    return None, None


def _gps_clock_offset(tags: Tags, local: datetime) -> timedelta | None:
    """The offset between the camera's clock and the GPS's, to the quarter hour: a fix logged
    minutes off the shutter still pins the zone; days off does not."""
    gps_utc = gps_time_of(tags)
    if gps_utc is None:
        return None
    delta = local - gps_utc
    quarter_hours = round(delta / timedelta(minutes=15))
    if abs(delta - quarter_hours * timedelta(minutes=15)) <= timedelta(minutes=5) and abs(quarter_hours) <= 56:
        return quarter_hours * timedelta(minutes=15)
    return None


def _camera_zone(tags: Tags) -> tuple[timedelta, str] | None:
    """The zone the camera's clock was set to, from Canon's and Nikon's maker notes
    (their daylight-saving flag adds its hour)."""
    canon = tags.number("Exif.CanonTi.TimeZone")
    if canon is not None and abs(canon) <= 14 * 60:
        summer = 60 if (tags.number("Exif.CanonTi.DaylightSavings") or 0) else 0
        return timedelta(minutes=canon + summer), "Canon TimeZone"
    nikon = tags.number("Exif.NikonWt.Timezone")
    if nikon is not None and abs(nikon) <= 14 * 60:
        summer = 60 if (tags.number("Exif.NikonWt.DaylightSavings") or 0) else 0
        return timedelta(minutes=nikon + summer), "Nikon Timezone"
    return None


def _subsec_us(value: Any) -> int:
    digits = re.sub(r"\D", "", value or "")[:6]
    return int(digits.ljust(6, "0")) if digits else 0


def _altitude(tags: Tags) -> float | None:
    altitude = tags.number("Exif.GPSInfo.GPSAltitude")
    if altitude is None or abs(altitude) > 20_000:
        return None
    return -altitude if tags.number("Exif.GPSInfo.GPSAltitudeRef") == 1 else altitude


# -- camera, lens and exposure --------------------------------------------------------

def lens_of(tags: Tags) -> str | None:
    """The lens by name, wherever it is written: EXIF, a maker note's lens id (which exiv2
    prints as the lens it stands for), XMP. A name that is only a focal range ("24.0-70.0 mm
    f/2.8", as Lightroom writes it) gives way to a maker note's full name."""
    found = [tags.text(key) for key in LENS_TAGS]
    for key in MAKER_LENS_IDS:
        datum = tags.datum(key)
        name = tags.printed(datum) if datum is not None else None
        found.append(None if name and (name.startswith("(") or name.lower().startswith("unknown")) else name)
    found += [tags.text(key) for key in SOFTWARE_LENS_TAGS]
    names = [n for n in found if n and not n.isdigit()]
    return next((n for n in names if not FOCAL_RANGE.match(n)), names[0] if names else None)


FOCAL_RANGE = re.compile(r"^\s*\d+(\.\d+)?(\s*-\s*\d+(\.\d+)?)?\s*mm\b(\s*f/?\s*[\d.]+(-[\d.]+)?)?\s*$", re.IGNORECASE)


def exposure_of(tags: Tags) -> dict[str, Any]:
    focal = _positive(tags.number("Exif.Photo.FocalLength") or tags.number("Xmp.exif.FocalLength"))
    f_number = _positive(tags.number("Exif.Photo.FNumber") or tags.number("Xmp.exif.FNumber"))
    if f_number is None:  # APEX: N = 2^(Av/2)
        apex = tags.number("Exif.Photo.ApertureValue")
        f_number = round(2 ** (apex / 2), 1) if apex is not None and 0 <= apex < APEX_MAX else None
    exposure = _positive(tags.number("Exif.Photo.ExposureTime") or tags.number("Xmp.exif.ExposureTime"))
    if exposure is None:  # APEX: t = 2^-Tv
        apex = tags.number("Exif.Photo.ShutterSpeedValue")
        exposure = 2 ** -apex if apex is not None and abs(apex) < APEX_MAX else None
    iso = _positive(tags.number("Exif.Photo.ISOSpeedRatings") or tags.number("Xmp.exif.ISOSpeedRatings"))
    flash = tags.number("Exif.Photo.Flash")
    return {
        "focal_mm": round(focal, 1) if focal and focal < 5000 else None,
        "focal_35mm": _focal_35mm(tags, focal),
        "f_number": round(f_number, 1) if f_number and f_number < 256 else None,
        "exposure_s": exposure if exposure and exposure < 100_000 else None,
        "iso": int(iso) if iso and iso < 10_000_000 else None,
        "flash": bool(int(flash) & 1) if flash is not None else None,
    }


def _focal_35mm(tags: Tags, focal: float | None) -> float | None:
    """The 35 mm equivalent: as the camera states it, else from the sensor's size (the focal
    plane's resolution), else None."""
    stated = _positive(tags.number("Exif.Photo.FocalLengthIn35mmFilm"))
    if stated:
        return float(stated)
    per_unit = _positive(tags.number("Exif.Photo.FocalPlaneXResolution"))
    width = _positive(tags.number("Exif.Photo.PixelXDimension"))
    height = _positive(tags.number("Exif.Photo.PixelYDimension"))
    unit_mm = {2: 25.4, 3: 10.0, 4: 1.0, 5: 0.001}.get(int(tags.number("Exif.Photo.FocalPlaneResolutionUnit") or 2))
    if not (focal and per_unit and width and height and unit_mm):
        return None
    sensor = math.hypot(width / per_unit * unit_mm, height / per_unit * unit_mm)
    return round(focal * 43.27 / sensor) if 1 < sensor < 100 else None


def _positive(value: float | None) -> float | None:
    return value if value is not None and value > 0 else None


# -- the photographer's marks ---------------------------------------------------------

def marks_of(tags: Tags) -> dict[str, Any]:
    rating = tags.number("Xmp.xmp.Rating")
    if rating is None:
        rating = tags.number("Exif.Image.Rating")
    rating = int(rating) if rating is not None and -1 <= rating <= 5 else None
    pick = None
    digikam = tags.number("Xmp.digiKam.PickLabel")  # 1 rejected, 2 pending, 3 accepted
    if digikam in (1, 3):
        pick = 1 if digikam == 3 else -1
    elif tags.number("Xmp.xmpDM.pick") in (1, -1):
        pick = int(tags.number("Xmp.xmpDM.pick"))
    if rating == -1:
        pick = -1
    return {"rating": rating, "pick": pick, "color_label": _colour(tags), "title": _title(tags),
            "caption": _caption(tags), "keywords": _keywords(tags)}


def _colour(tags: Tags) -> str | None:
    label = (tags.text("Xmp.xmp.Label") or "").lower()
    if label in COLOUR_LABELS:
        return label
    digikam = tags.number("Xmp.digiKam.ColorLabel")
    if digikam in DIGIKAM_COLOURS:
        return DIGIKAM_COLOURS[int(digikam)]
    darktable = [int(v) for v in tags.texts("Xmp.darktable.colorlabels") if v.isdigit()]
    return DARKTABLE_COLOURS.get(darktable[0]) if darktable else None


def _title(tags: Tags) -> str | None:
    return tags.text("Xmp.dc.title") or tags.text("Iptc.Application2.ObjectName")


def _caption(tags: Tags) -> str | None:
    for key in ("Xmp.dc.description", "Iptc.Application2.Caption", "Exif.Image.ImageDescription"):
        text = tags.text(key)
        if text and not CAMERA_CAPTIONS.match(text):
            return text
    return None


def _keywords(tags: Tags) -> tuple[str, ...]:
    """Flat keywords and hierarchical ones as paths ("places/Sweden/Lund"), each once."""
    found = [*tags.texts("Xmp.dc.subject"), *tags.texts("Iptc.Application2.Keywords")]
    found += [k.replace("|", "/") for k in tags.texts("Xmp.lr.hierarchicalSubject")]
    found += tags.texts("Xmp.digiKam.TagsList")
    seen: dict[str, str] = {}
    for keyword in found:
        keyword = keyword.strip().strip("/")
        if keyword and keyword.lower() not in seen:
            seen[keyword.lower()] = keyword
    return tuple(seen.values())[:MAX_KEYWORDS]
