"""Generated photographs with real EXIF, for tests that must not depend on ../shared."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, TiffImagePlugin

from flux_ask.archive.home import Archive

EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def rational(value: float) -> TiffImagePlugin.IFDRational:
    f = Fraction(value).limit_denominator(1_000_000)
    return TiffImagePlugin.IFDRational(f.numerator, f.denominator)


def dms(degrees: float) -> tuple:
    degrees = abs(degrees)
    d = int(degrees)
    m = int((degrees - d) * 60)
    s = (degrees - d - m / 60) * 3600
    return (rational(d), rational(m), rational(round(s, 4)))


def exif_for(
    *,
    taken: str | None = None,
    offset: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    lat_ref: str | None = None,
    lon_ref: str | None = None,
    gps_stamp: tuple[str, tuple[int, int, int]] | None = None,
    orientation: int | None = None,
    make: str | None = None,
    model: str | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    if make:
        exif[0x010F] = make
    if model:
        exif[0x0110] = model
    ifd = exif.get_ifd(EXIF_IFD)
    if taken is not None:
        ifd[0x9003] = taken
    if offset is not None:
        ifd[0x9011] = offset
    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[1] = lat_ref if lat_ref is not None else ("N" if lat >= 0 else "S")
        gps[2] = dms(lat)
        gps[3] = lon_ref if lon_ref is not None else ("E" if lon >= 0 else "W")
        gps[4] = dms(lon)
        if gps_stamp:
            date, (h, m, s) = gps_stamp
            gps[29] = date
            gps[7] = (rational(h), rational(m), rational(s))
    return exif


def picture(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A distinct, structured picture per seed (blocks of colour, not noise)."""
    rng = np.random.default_rng(seed)
    cells = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    small = Image.fromarray(cells)
    return small.resize(size, Image.Resampling.NEAREST)


def write_photo(path: Path, seed: int = 0, *, size=(320, 240), fmt: str = "JPEG",
                exif: Image.Exif | None = None, image: Image.Image | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = image or picture(seed, size)
    kwargs = {"exif": exif.tobytes()} if exif is not None else {}
    if fmt == "JPEG":
        kwargs["quality"] = 90
    image.save(path, fmt, **kwargs)
    return path


def make_archive(root: Path, count: int, *, start_seed: int = 0) -> list[Path]:
    paths = []
    for i in range(count):
        taken = f"20{15 + i % 9:02d}:{1 + i % 12:02d}:{1 + i % 28:02d} 12:00:00"
        paths.append(write_photo(root / f"{2015 + i % 9}" / f"img_{i:04d}.jpg", start_seed + i,
                                 exif=exif_for(taken=taken)))
    return paths


ROME = (41.9028, 12.4964)
WALNUT = (39.9522, -75.2020)


def make_chat_archive(root: Path, home: Path, embedder):
    """Twenty photos over five years; some in Rome, some at 40th and Walnut, some nowhere."""
    for i in range(20):
        lat, lon = (ROME if i % 3 == 0 else WALNUT if i % 3 == 1 else (None, None))
        write_photo(root / f"{2019 + i % 5}" / f"p{i:02d}.jpg", seed=100 + i,
                    exif=exif_for(taken=f"{2019 + i % 5}:{1 + i % 12:02d}:{1 + i:02d} 10:00:00", lat=lat, lon=lon))
    home.mkdir(parents=True, exist_ok=True)
    (home / "places.toml").write_text('["40th and Walnut"]\nlat = 39.9522\nlon = -75.2020\nradius_m = 150\n'
                                      'aliases = ["walnut"]\n', encoding="utf-8")
    from flux_ask.config import load_settings
    from flux_ask.ingest.pipeline import Indexer

    settings = load_settings(home, model="tiny-test", geocoder="off")
    with Indexer(Archive(settings, create=True), embedder=embedder) as indexer:
        indexer.index([root])
    return settings
