"""Metadata reading: how often flux-ask agrees with exiftool, file by file, on real photos.

    .venv/bin/python benchmarks/metadata.py [FOLDER] [--json]

FOLDER defaults to ../shared/photos. exiftool runs once over the whole folder (plus a
short second pass for lens names); every file is then decoded with flux-ask's decode()
in this process. Per field it counts the files where exiftool has a sound value and
flux-ask decoded the file, and how many of them agree:

  capture time   the local wall-clock time, to the second (sub-seconds and zone ignored);
                 a file exiftool cannot date agrees when flux-ask fell back to file_mtime
  utc offset     equal minutes, where some tag states an offset
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

_DATE = re.compile(
    r"\s*(\d{4})[:\-](\d\d)[:\-](\d\d)[ T](\d\d):(\d\d)(?::(\d\d))?(?:\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?"
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

    theirs = exiftool(folder)
    files = photos(folder)
    compared = {field: 0 for field in FIELDS}
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
        meta = decoded.meta
        for field, (mine, their) in compare(decoded, truth(theirs.get(rel, {}))).items():
            if mine is None and their is None:
                continue  # exiftool has no sound value: nothing to compare
            compared[field] += 1
            if their is not None and mine is not None and agree(field, mine, their):
                continue
            if field == "capture time" and their is None and getattr(meta, "taken_at_source", "") == "file_mtime":
                continue
            disagreements[field].append({"file": rel, "ours": shown(mine), "exiftool": shown(their)})
        for name in ("camera_make", "camera_model", "lens"):
            value = getattr(meta, name, None)
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
                "percent": round(100 * (1 - len(disagreements[field]) / compared[field]), 1)
                if compared[field] else None,
                "disagreements": disagreements[field],
            }
            for field in FIELDS
        },
        "garbage": garbage,
        "metadata_ms": {
            "median": round(float(np.median(exif_ms)), 3) if exif_ms else None,
            "p95": round(float(np.percentile(exif_ms, 95)), 3) if exif_ms else None,
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
    numeric = _run_exiftool([*common, "-n", str(folder)])
    printed = _run_exiftool([*common, "-LensID", "-LensModel", "-Lens", str(folder)])
    records = {}
    for record in numeric:
        rel = os.path.relpath(record["SourceFile"], folder)
        lenses = printed.get(record["SourceFile"], {})
        records[rel] = {k: v for k, v in record.items() if "Lens" not in k} | lenses
    return records


def _run_exiftool(args: list[str]) -> list | dict:
    # exiftool exits 1 when some file has an error (the empty one); its JSON is still whole
    out = subprocess.run(["exiftool", *args], capture_output=True, text=True).stdout
    records = json.loads(out or "[]")
    if "-n" in args:
        return records
    return {r["SourceFile"]: {k: v for k, v in r.items() if k != "SourceFile"} for r in records}


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

def tag(record: dict, group: str, name: str):
    """The first value of `name` in a group starting with `group` ("" for any group)."""
    for key, value in record.items():
        g, _, n = key.partition(":")
        if n == name and g.startswith(group) and value not in ("", None):
            return value
    return None


def truth(record: dict) -> dict:
    """exiftool's sound values for one file; None where it has none."""
    taken, source, zone = capture(record)
    return {
        "taken": (taken, source) if taken else None,
        "offset": offset(record, taken, zone),
        "make": _clean(tag(record, "IFD0", "Make") or tag(record, "", "Make")),
        "model": _clean(tag(record, "IFD0", "Model") or tag(record, "", "Model")),
        "lens": lens(record),
        "size": upright_size(record),
        "gps": position(record),
    }


def parse_date(value) -> tuple[datetime, int | None] | None:
    """(wall-clock time to the second, stated offset in minutes) or None for blanks,
    zeros, impossible dates and years before 1900 or after next year."""
    match = _DATE.match(str(value))
    if not match:
        return None
    *parts, zone = match.groups()
    try:
        when = datetime(*(int(p or 0) for p in parts))
    except ValueError:
        return None
    if not 1900 <= when.year <= date.today().year + 1:
        return None
    return when, _zone_minutes(zone)


def _zone_minutes(zone: str | None) -> int | None:
    if not zone:
        return None
    if zone == "Z":
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (60 * int(digits[:2]) + int(digits[2:]))


def _dated(record: dict, group: str, name: str) -> tuple[datetime, int | None] | None:
    value = tag(record, group, name)
    if value is not None and (group, name) == ("IPTC", "DateCreated"):
        value = f"{value} {tag(record, 'IPTC', 'TimeCreated') or ''}"  # a date alone fails to parse
    return parse_date(value) if value is not None else None


def capture(record: dict) -> tuple[datetime | None, str | None, int | None]:
    for group, name in CAPTURE_TAGS:
        parsed = _dated(record, group, name)
        if parsed:
            return parsed[0], f"{group or 'any'}:{name}", parsed[1]
    return None, None, None


def offset(record: dict, taken: datetime | None, zone: int | None) -> tuple[int, str] | None:
    """The offset some tag states for the capture, in minutes, with the tag."""
    if taken is None:
        return None
    for name in ("OffsetTimeOriginal", "OffsetTime"):
        minutes = _zone_minutes(str(tag(record, "ExifIFD", name) or "").strip() or None)
        if minutes is not None:
            return minutes, name
    if zone is not None:
        return zone, "the capture time's own zone"
    for group, name in ZONED_TAGS:
        parsed = _dated(record, group, name)
        # a zone describes its own clock: only a clock that reads the capture time speaks for it
        if parsed and parsed[1] is not None and parsed[0] == taken:
            return parsed[1], f"{group}:{name}"
    for group, dst_per_unit in (("Canon", 1), ("Nikon", 60)):  # Canon says DST in minutes, Nikon yes/no
        zone_min = tag(record, group, "TimeZone")
        if isinstance(zone_min, (int, float)):
            return int(zone_min + dst_per_unit * (tag(record, group, "DaylightSavings") or 0)), f"{group}:TimeZone"
    return None


def lens(record: dict) -> str | None:
    for group, name in (("Composite", "LensID"), ("", "LensModel"), ("XMP-aux", "Lens"), ("", "Lens")):
        value = _clean(tag(record, group, name))
        # "Unknown 5-17mm" is exiftool not knowing; Composite:Lens is a focal range, not a name
        if value and not value.lower().startswith("unknown") and value != "n/a" and (group, name) != ("", "Lens"):
            return value
        if value and name == "Lens" and not _clean(tag(record, "Composite", "Lens")) == value:
            return value
    return None


def upright_size(record: dict) -> tuple[int, int] | None:
    size = str(tag(record, "Composite", "ImageSize") or "").replace("x", " ").split()
    if len(size) != 2:
        return None
    width, height = (int(float(s)) for s in size)
    # HEIF's own rotation (irot) is what decoders apply; elsewhere the EXIF orientation
    rotation = tag(record, "QuickTime", "Rotation")
    if rotation is not None:
        turned = int(rotation) in (90, 270)
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

def compare(decoded, their: dict) -> dict[str, tuple]:
    """(flux-ask's value, exiftool's value) per field; (None, None) when not to compare."""
    meta = decoded.meta
    mine_taken = getattr(meta, "taken_at", None)
    mine_source = getattr(meta, "taken_at_source", None)
    mine_offset = getattr(meta, "utc_offset_min", None)
    lat, lon = getattr(meta, "lat", None), getattr(meta, "lon", None)
    mine_gps = (lat, lon) if lat is not None and lon is not None else None
    pairs = {
        # every decoded file counts: an undated one agrees by falling back to file_mtime
        "capture time": ((mine_taken, mine_source), their["taken"]),
        "utc offset": ((mine_offset, getattr(meta, "utc_source", None)), their["offset"]),
        "make": (getattr(meta, "camera_make", None), their["make"]),
        "model": (getattr(meta, "camera_model", None), their["model"]),
        "lens": (getattr(meta, "lens", None), their["lens"]),
        "upright size": ((decoded.width, decoded.height), their["size"]),
        # both absent agrees too, so every decoded file counts
        "gps": (mine_gps or "absent", their["gps"] or "absent"),
    }
    # only where exiftool has a sound value: the rest are not compared
    return {
        field: (mine, th) if th is not None or field == "capture time" else (None, None)
        for field, (mine, th) in pairs.items()
    }


def agree(field: str, mine, their) -> bool:
    if field == "capture time":
        try:
            return datetime.fromisoformat(mine[0]).replace(microsecond=0) == their[0]
        except (TypeError, ValueError):
            return False
    if field == "utc offset":
        return mine[0] == their[0]
    if field in ("make", "model"):
        return (_clean(mine) or "").casefold() == their.casefold()
    if field == "lens":
        a, b = _letters(mine), _letters(their)
        return bool(a and b) and (a in b or b in a)
    if field == "gps":
        if mine == "absent" or their == "absent":
            return mine == their
        return abs(mine[0] - their[0]) <= 1e-6 and abs(mine[1] - their[1]) <= 1e-6
    return tuple(mine) == tuple(their)


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def shown(value) -> str:
    """A value as a developer reads it in a list of disagreements."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return repr(value) if _GARBAGE.search(value) else value
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], datetime):
        return f"{value[0].isoformat(' ')} ({value[1]})"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], str):  # (value, source)
        first = value[0]
        if isinstance(first, int):
            first = f"{'+' if first >= 0 else '-'}{abs(first) // 60:02d}:{abs(first) % 60:02d}"
        return f"{first if first is not None else '-'} ({value[1]})"
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return "x".join(map(str, value))
    if isinstance(value, tuple):
        return ", ".join(f"{v:.6f}" for v in value)
    return str(value)


def report(figures: dict) -> None:
    print(f"{figures['files']} pictures under {figures['folder']}, {figures['decoded']} decoded"
          + (f"; rejected: {', '.join(f'{k} {v}' for k, v in figures['rejected'].items())}"
             if figures["rejected"] else ""))
    print()
    print(f"{'field':<14} {'compared':>9} {'agree':>7} {'percent':>8}")
    for field, row in figures["fields"].items():
        percent = f"{row['percent']:.1f}%" if row["percent"] is not None else "-"
        print(f"{field:<14} {row['compared']:>9} {row['agree']:>7} {percent:>8}")
    garbage = figures["garbage"]
    print(f"\ncamera strings with control characters, NUL or U+FFFD: {len(garbage)}")
    ms = figures["metadata_ms"]
    if ms["median"] is not None:
        print(f"metadata read per photo: median {ms['median']:.2f} ms, p95 {ms['p95']:.2f} ms")

    for field, row in figures["fields"].items():
        if not row["disagreements"]:
            continue
        print(f"\n{field}: {len(row['disagreements'])} disagree (file | flux-ask | exiftool)")
        for d in row["disagreements"][:SHOWN]:
            print(f"  {d['file']} | {d['ours']} | {d['exiftool']}")
        if len(row["disagreements"]) > SHOWN:
            print(f"  ... and {len(row['disagreements']) - SHOWN} more (--json lists them all)")
    if garbage:
        print("\ncamera strings with garbage characters (file | field | flux-ask)")
        for g in garbage[:SHOWN]:
            print(f"  {g['file']} | {g['field']} | {g['ours']!r}")


if __name__ == "__main__":
    raise SystemExit(main())
