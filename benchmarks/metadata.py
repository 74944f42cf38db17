"""Metadata reading: how often flux-ask agrees with exiftool, file by file, on real photos.

    .venv/bin/python benchmarks/metadata.py [FOLDER] [--json]

FOLDER defaults to ../shared/photos. exiftool runs once over the whole folder (plus a
short second pass for lens names); every file is then decoded with flux-ask's decode()
in this process. Per field it counts the files where exiftool has a sound value and
flux-ask decoded the file, and how many of them agree:

  capture time   the local wall-clock time, to the second (sub-seconds and zone ignored);
                 a file exiftool cannot date agrees when flux-ask fell back to file_mtime
  utc offset     equal minutes, where some tag states an offset (a zone from IPTC, XMP or a
                 maker note that the GPS clock contradicts gives way to the GPS clock)
  make, model    equal after case and whitespace are normalised
  lens           equal, or one contains the other, letters and digits only, any case
  upright size   (width, height) after the orientation is applied
  gps            both absent, or both within 1e-6 degrees

Then it lists the disagreements (at most 15 a field), the camera strings flux-ask read
with control characters, NULs or U+FFFD in them, and the time decode() spent reading
metadata per photo (median, p95). --json prints the same figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flux_ask.errors import RejectedFile  # noqa: E402
from flux_ask.picture.decode import decode  # noqa: E402
from flux_ask.picture.scan import kind_of  # noqa: E402

PHOTOS = ROOT.parent / "shared" / "photos"
SHOWN = 15  # disagreements printed per field
FIELDS = ("capture time", "utc offset", "make", "model", "lens", "upright size", "gps")

# Where exiftool's capture time comes from, most trusted first: (group prefix, tag).
CAPTURE_TAGS = [
    ("Composite", "SubSecDateTimeOriginal"),
    ("ExifIFD", "DateTimeOriginal"),
    ("IFD0", "DateTimeOriginal"),
    ("XMP-photoshop", "DateCreated"),
    ("XMP-exif", "DateTimeOriginal"),
    ("XMP-xmp", "CreateDate"),
    ("IPTC", "DateCreated"),  # joined with TimeCreated
    ("PNG", "CreationTime"),
    ("QuickTime", "CreateDate"),
    ("ExifIFD", "CreateDate"),
    ("IFD0", "ModifyDate"),
    ("", "DateTimeOriginal"),  # maker notes (Canon CIFF, Casio ...): exiftool reports them too
]
# Date tags whose own zone states the offset, when their clock reads the capture time.
ZONED_TAGS = [
    ("XMP-photoshop", "DateCreated"),
    ("XMP-exif", "DateTimeOriginal"),
    ("XMP-xmp", "CreateDate"),
    ("IPTC", "DateCreated"),
]

LENS_TAGS = [("Composite", "LensID"), ("", "LensModel"), ("XMP-aux", "Lens"), ("", "Lens")]

_DATE = re.compile(
    r"\s*(\d{4})[:\-](\d\d)[:\-](\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?)?"
)
_GARBAGE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=PHOTOS)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    folder = args.folder.expanduser().resolve()
    if not folder.is_dir():
        print(f"no photos at {folder}: nothing to measure")
        return 0
    if shutil.which("exiftool") is None:
        print("exiftool is not installed: nothing to compare with")
        return 0

    started = time.perf_counter()
    theirs = exiftool(folder)
    # the baseline: exiftool over the whole folder in one process, per photo
    exiftool_ms = 1000 * (time.perf_counter() - started) / max(len(theirs), 1)
    files = photos(folder)
    compared: Counter[str] = Counter()
    disagreements: dict[str, list[dict]] = {field: [] for field in FIELDS}
    garbage: list[dict] = []
    rejected: Counter[str] = Counter()
    exif_ms: list[float] = []

    for rel, path, kind in files:
        decoded, reason = ours(path, kind)
        if decoded is None:
            rejected[reason] += 1
            continue
        exif_ms.append(1000 * decoded.exif_seconds)
        for field, (mine, their) in pairs(decoded, truth(theirs.get(rel, {}))).items():
            compared[field] += 1
            if not agree(field, mine, their):
                disagreements[field].append({"file": rel, "ours": shown(mine), "exiftool": shown(their)})
        for name in ("camera_make", "camera_model", "lens"):
            value = getattr(decoded.meta, name, None)
            if isinstance(value, str) and _GARBAGE.search(value):
                garbage.append({"file": rel, "field": name, "ours": value})

    figures = {
        "folder": str(folder),
        "files": len(files),
        "decoded": len(exif_ms),
        "rejected": dict(rejected.most_common()),
        "fields": {
            field: {
                "compared": compared[field],
                "agree": compared[field] - len(disagreements[field]),
                "percent": round(100 - 100 * len(disagreements[field]) / compared[field], 1)
                if compared[field] else None,
                "disagreements": disagreements[field],
            }
            for field in FIELDS
        },
        "garbage": garbage,
        "metadata_ms": {
            "median": round(float(np.median(exif_ms)), 3) if exif_ms else None,
            "p95": round(float(np.percentile(exif_ms, 95)), 3) if exif_ms else None,
            "mean": round(float(np.mean(exif_ms)), 3) if exif_ms else None,
            "exiftool_mean": round(exiftool_ms, 3),
        },
    }
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        report(figures)
    return 0


# -- the two readers ------------------------------------------------------------------

def exiftool(folder: Path) -> dict[str, dict]:
    """exiftool's tags for every file, keyed by path relative to `folder`. -n gives
    numbers for sizes, GPS and zones, but turns lens names into ID numbers: those come
    from a second, short pass without it."""
    common = ["-j", "-r", "-G1", "-a", "-api", "largefilesupport=1", "-ee0"]
    printed = {r["SourceFile"]: r for r in _run_exiftool([*common, "-LensID", "-LensModel", "-Lens", str(folder)])}
    records = {}
    for record in _run_exiftool([*common, "-n", str(folder)]):
        names = printed.get(record["SourceFile"], {})
        records[os.path.relpath(record["SourceFile"], folder)] = {
            k: v for k, v in record.items() if not k.endswith(("LensID", "LensModel", "Lens"))
        } | names
    return records


def _run_exiftool(args: list[str]) -> list[dict]:
    # exiftool exits 1 when some file has an error (the empty one); its JSON is still whole
    out = subprocess.run(["exiftool", *args], capture_output=True, text=True, check=False).stdout
    return json.loads(out or "[]")


def photos(folder: Path) -> list[tuple[str, Path, str]]:
    """(relative path, path, kind) of every file flux-ask calls a picture, hidden ones aside."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        kind = kind_of(path.name)
        if kind is not None:
            found.append((str(rel), path, kind))
    return found


def ours(path: Path, kind: str):
    """(Decoded, None) or (None, why not)."""
    try:
        return decode(str(path), kind, path.stat().st_mtime_ns, min_side=224, max_pixels=200_000_000), None
    except RejectedFile as exc:
        return None, exc.reason
    except Exception as exc:  # a crash is a finding, not the end of the run
        return None, f"crash: {type(exc).__name__}"


# -- what exiftool believes -----------------------------------------------------------

def values(record: dict, group: str, name: str):
    """The non-empty values of `name` in groups starting with `group` ("" for any)."""
    for key, value in record.items():
        g, _, n = key.partition(":")
        if n == name and g.startswith(group) and value not in ("", None):
            yield key, value


def tag(record: dict, group: str, name: str):
    return next((value for _, value in values(record, group, name)), None)


def truth(record: dict) -> dict:
    """exiftool's sound values for one file; None where it has none."""
    taken, source, zone = capture(record)
    return {
        "taken": (taken, source) if taken else None,
        "offset": offset(record, taken, source, zone),
        "make": _clean(tag(record, "IFD0", "Make") or tag(record, "", "Make")),
        "model": _clean(tag(record, "IFD0", "Model") or tag(record, "", "Model")),
        "lens": lens(record),
        "size": upright_size(record),
        "gps": position(record),
    }


def parse_date(value) -> tuple[date, int | None] | None:
    """(wall-clock time to the second, stated offset in minutes), or None for blanks,
    zeros, impossible dates and years before 1900 or after next year. A date without a
    time (XMP and IPTC allow it) is a date: sound, but only to the day."""
    match = _DATE.match(str(value))
    if not match:
        return None
    *parts, zone = match.groups()
    try:
        when = datetime(*(int(p or 0) for p in parts)) if parts[3] else date(*map(int, parts[:3]))
    except ValueError:
        return None
    if not 1900 <= when.year <= date.today().year + 1:
        return None
    return when, _zone_minutes(zone)


def _zone_minutes(zone) -> int | None:
    match = re.fullmatch(r"\s*(?:(Z)|([+-])(\d\d):?(\d\d))\s*", str(zone or ""))
    if not match:
        return None
    utc, sign, hours, minutes = match.groups()
    return 0 if utc else (-1 if sign == "-" else 1) * (60 * int(hours) + int(minutes))


def _dated(record: dict, group: str, name: str) -> tuple[date, int | None] | None:
    value = tag(record, group, name)
    if value is not None and (group, name) == ("IPTC", "DateCreated"):
        value = f"{value} {tag(record, 'IPTC', 'TimeCreated') or ''}"  # a date alone does not parse
    return parse_date(value) if value is not None else None


def capture(record: dict) -> tuple[date | None, str | None, int | None]:
    """(capture time, the tag it came from, the zone written with it)."""
    for group, name in CAPTURE_TAGS:
        parsed = _dated(record, group, name)
        if parsed:
            return parsed[0], f"{group or 'maker note'}:{name}", parsed[1]
    return None, None, None


def offset(record: dict, taken: date | None, source: str | None, zone: int | None) -> tuple[int, str] | None:
    """(minutes east of UTC, where that comes from) for the capture, if any tag states one."""
    stated = _stated_offset(record, taken, source, zone)
    if stated is None or stated[1].startswith("ExifIFD:"):
        return stated  # the camera's own OffsetTime* stands
    # IPTC and XMP writers put +00:00 on times whose zone they never knew (Photoshop on
    # photoprism's cat_brown.jpg, whose GPS clock says +02:00): there the GPS clock is the witness
    clock = gps_clock_offset(record, taken)
    if clock is not None and clock != stated[0]:
        return clock, f"GPS clock; {stated[1]} says {hhmm(stated[0])}"
    return stated


def _stated_offset(record: dict, taken, source, zone) -> tuple[int, str] | None:
    if taken is None:
        return None
    for name in ("OffsetTimeOriginal", "OffsetTime"):
        minutes = _zone_minutes(tag(record, "ExifIFD", name))
        if minutes is not None:
            return minutes, f"ExifIFD:{name}"
    if zone is not None:
        return zone, source
    for group, name in ZONED_TAGS:
        parsed = _dated(record, group, name)
        # a zone belongs to its own clock reading: only one that reads the capture time speaks for it
        if parsed and parsed[1] is not None and parsed[0] == taken:
            return parsed[1], f"{group}:{name}"
    for group, dst_minutes in (("Canon", 1), ("Nikon", 60)):  # Canon's DST is in minutes, Nikon's 0/1
        minutes = tag(record, group, "TimeZone")
        if isinstance(minutes, (int, float)):
            dst = tag(record, group, "DaylightSavings")
            return int(minutes + dst_minutes * (dst if isinstance(dst, (int, float)) else 0)), f"{group}:TimeZone"
    return None


def gps_clock_offset(record: dict, taken) -> int | None:
    """The offset the GPS clock (UTC) implies for the capture time, in whole quarter hours;
    None where they are not minutes apart from such a step (a stale fix, another day)."""
    parsed = parse_date(tag(record, "Composite", "GPSDateTime") or "")
    if not parsed or not isinstance(parsed[0], datetime) or not isinstance(taken, datetime):
        return None
    minutes = (taken - parsed[0]).total_seconds() / 60
    quarters = round(minutes / 15)
    return 15 * quarters if abs(minutes - 15 * quarters) <= 5 and abs(quarters) <= 14 * 4 else None


def hhmm(minutes: int) -> str:
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def lens(record: dict) -> str | None:
    for group, name in LENS_TAGS:
        for key, value in values(record, group, name):
            text = _clean(value)
            # "Unknown 5-17mm" is exiftool not knowing; Composite:Lens is a focal range, not a lens
            if key != "Composite:Lens" and text and not text.lower().startswith(("unknown", "n/a")):
                return text
    return None


def upright_size(record: dict) -> tuple[int, int] | None:
    size = str(tag(record, "Composite", "ImageSize") or "").replace("x", " ").split()
    if len(size) != 2:
        return None
    width, height = (int(float(s)) for s in size)
    # HEIF's own rotation (irot) is what its decoders apply; elsewhere the EXIF orientation
    rotation = tag(record, "QuickTime", "Rotation")
    if rotation is not None:
        turned = rotation in (90, 270)
    else:
        turned = tag(record, "IFD0", "Orientation") in (5, 6, 7, 8)
    return (height, width) if turned else (width, height)


def position(record: dict) -> tuple[float, float] | None:
    try:
        lat = float(tag(record, "Composite", "GPSLatitude"))
        lon = float(tag(record, "Composite", "GPSLongitude"))
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return None if lat == 0 and lon == 0 else (lat, lon)


def _clean(value) -> str | None:
    text = " ".join(str(value).replace("\x00", " ").split()) if value is not None else ""
    return text or None


# -- comparing ------------------------------------------------------------------------

def pairs(decoded, their: dict) -> dict[str, tuple]:
    """(flux-ask's value, exiftool's) for each field this file is compared on."""
    meta = decoded.meta
    lat, lon = getattr(meta, "lat", None), getattr(meta, "lon", None)
    found = {
        # every decoded file: one exiftool cannot date should fall back to file_mtime
        "capture time": ((getattr(meta, "taken_at", None), getattr(meta, "taken_at_source", None)), their["taken"]),
        # every decoded file: "no position" is an answer too
        "gps": ((lat, lon) if lat is not None and lon is not None else None, their["gps"]),
    }
    if their["offset"] is not None:
        found["utc offset"] = ((getattr(meta, "utc_offset_min", None), getattr(meta, "utc_source", None)),
                               their["offset"])
    for field, name in (("make", "camera_make"), ("model", "camera_model"), ("lens", "lens")):
        if their[field] is not None:
            found[field] = (getattr(meta, name, None), their[field])
    if their["size"] is not None:
        found["upright size"] = ((decoded.width, decoded.height), their["size"])
    return found


def agree(field: str, mine, their) -> bool:
    if field == "capture time":
        if their is None:
            return mine[1] == "file_mtime"
        try:
            ours_at = datetime.fromisoformat(mine[0])
        except (TypeError, ValueError):
            return False
        if isinstance(their[0], datetime):
            return ours_at.replace(microsecond=0) == their[0]
        return ours_at.date() == their[0]  # exiftool knows the day only
    if field == "utc offset":
        return mine[0] == their[0]
    if field == "gps":
        if mine is None or their is None:
            return mine is their
        return abs(mine[0] - their[0]) <= 1e-6 and abs(mine[1] - their[1]) <= 1e-6
    if mine is None:
        return False
    if field == "lens":  # exiftool's LensID is often the longer name: "Canon EF24-105mm ..."
        a, b = re.sub(r"[\W_]+", "", mine.casefold()), re.sub(r"[\W_]+", "", their.casefold())
        return bool(a) and (a in b or b in a)
    if field in ("make", "model"):
        return (_clean(mine) or "").casefold() == their.casefold()
    return tuple(mine) == tuple(their)


def shown(value) -> str:
    """A value as a developer reads it in a list of disagreements."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return repr(value) if _GARBAGE.search(value) else value
    first, second = value
    if isinstance(second, str) or second is None:  # (value, where it came from)
        if isinstance(first, date):
            first = first.isoformat(" ") if isinstance(first, datetime) else f"{first} (day only)"
        elif isinstance(first, int):
            first = hhmm(first)
        return f"{first if first is not None else '-'} ({second or '-'})"
    if isinstance(first, int):
        return f"{first}x{second}"
    return f"{first:.6f}, {second:.6f}"


def report(figures: dict) -> None:
    rejected = ", ".join(f"{reason} {n}" for reason, n in figures["rejected"].items())
    print(f"{figures['files']} pictures under {figures['folder']}: {figures['decoded']} decoded"
          + (f", rejected: {rejected}" if rejected else ""))
    print()
    print(f"{'field':<14} {'compared':>9} {'agree':>7} {'percent':>8}")
    for field, row in figures["fields"].items():
        percent = f"{row['percent']:.1f}%" if row["percent"] is not None else "-"
        print(f"{field:<14} {row['compared']:>9} {row['agree']:>7} {percent:>8}")
    print(f"\ncamera strings with control characters, NUL or U+FFFD: {len(figures['garbage'])}")
    ms = figures["metadata_ms"]
    if ms["median"] is not None:
        print(f"metadata read per photo: median {ms['median']:.2f} ms, p95 {ms['p95']:.2f} ms, "
              f"mean {ms['mean']:.2f} ms; exiftool over the folder in one process: {ms['exiftool_mean']:.2f} ms "
              f"per photo ({ms['exiftool_mean'] / ms['mean']:.1f}x ours)")

    for field, row in figures["fields"].items():
        if row["disagreements"]:
            print(f"\n{field}: {len(row['disagreements'])} disagree (file | flux-ask | exiftool)")
            for d in row["disagreements"][:SHOWN]:
                print(f"  {d['file']} | {d['ours']} | {d['exiftool']}")
            if len(row["disagreements"]) > SHOWN:
                print(f"  ... and {len(row['disagreements']) - SHOWN} more (--json lists them all)")
    if figures["garbage"]:
        print("\ncamera strings with garbage characters (file | field | flux-ask)")
        for g in figures["garbage"][:SHOWN]:
            print(f"  {g['file']} | {g['field']} | {g['ours']!r}")


if __name__ == "__main__":
    raise SystemExit(main())
