"""A content-addressed thumbnail cache: thumbs/<size>/<sha[:2]>/<sha>.jpg.

Thumbnails are upright (EXIF orientation applied). Grid thumbnails are made at
ingest from the already decoded image; detail views are made on first use.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

from flux_ask.atomic import atomic_output
from flux_ask.picture.decode import decode

QUALITY = 82


def thumb_path(thumbs_dir: Path, sha256: str, size: int) -> Path:
    return thumbs_dir / str(size) / sha256[:2] / f"{sha256}.jpg"


def remove_thumbnails(thumbs_dir: Path, sha256s: list[str]) -> None:
    """The thumbnails of photos taken out of the catalog, at every size kept."""
    for sha in sha256s:
        for found in thumbs_dir.glob(f"*/{sha[:2]}/{sha}.jpg"):
            found.unlink(missing_ok=True)


def shrink(image: Image.Image, size: int) -> Image.Image:
    """Long side `size`, aspect kept, RGB."""
    small = image.copy()
    small.thumbnail((size, size), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return small.convert("RGB")


def save_thumbnail(small: Image.Image, path: Path) -> Path:
    """Encoded in memory, then written whole and renamed into place. Pillow writes to a file's
    descriptor itself and misses a short write, so a nearly full disk left half a JPEG that
    looked made; a killed ingest leaves none either."""
    if is_whole(path):
        return path
    encoded = io.BytesIO()
    small.save(encoded, "JPEG", quality=QUALITY)
    with atomic_output(path, ".jpg") as tmp, open(tmp, "wb") as f:
        f.write(encoded.getbuffer())  # all of it, or an error
    return path


def is_whole(path: Path) -> bool:
    """Whether a thumbnail is there and ends as every JPEG does: one an earlier version cut
    short is made again."""
    try:
        with open(path, "rb") as f:
            f.seek(-2, os.SEEK_END)
            return f.read(2) == b"\xff\xd9"
    except OSError:
        return False


def write_thumbnail(image: Image.Image, path: Path, size: int) -> Path:
    return path if is_whole(path) else save_thumbnail(shrink(image, size), path)


def detail_thumbnail(thumbs_dir: Path, sha256: str, source: str, kind: str, size: int, max_pixels: int) -> Path:
    """The large preview for a detail view, decoded from the original on first use."""

    path = thumb_path(thumbs_dir, sha256, size)
    if is_whole(path):
        return path
    decoded = decode(source, kind, os.stat(source).st_mtime_ns, min_side=size, max_pixels=max_pixels)
    return write_thumbnail(decoded.image, path, size)
