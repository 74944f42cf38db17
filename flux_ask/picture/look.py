"""The per-photo picture work, done once per file: decode upright, the grid thumbnail,
its perceptual hash, and the model's input crop. Shared by the ingest workers and the
keeper matcher."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from flux_ask.picture.decode import Decoded, decode, model_input
from flux_ask.picture.phash import phash
from flux_ask.picture.thumbs import shrink


@dataclass(frozen=True)
class Crop:
    """How the image encoder wants its input: the side, and how to get there."""
    size: int = 224
    resize_mode: str = "shortest"  # or "squash"
    interpolation: str = "bicubic"


@dataclass
class Look:
    decoded: Decoded
    small: Image.Image  # the grid thumbnail
    phash: int
    pixels: np.ndarray  # the model's input crop
    seconds: dict[str, float] = field(default_factory=dict)  # decode, exif, thumbnail, preprocess


def look(path: str, kind: str, mtime_ns: int, *, thumb_size: int, crop: Crop, max_pixels: int,
         sidecar: str | None = None) -> Look:
    """Raises RejectedFile (or whatever a decoder raises) for a file that cannot be read."""
    clock = time.perf_counter
    t0 = clock()
    decoded = decode(path, kind, mtime_ns, min_side=max(crop.size, thumb_size), max_pixels=max_pixels,
                     sidecar=sidecar)
    t1 = clock()
    small = shrink(decoded.image, thumb_size)
    hashed = phash(small)
    t2 = clock()
    pixels = model_input(decoded.image, crop.size, crop.resize_mode, crop.interpolation)
    seconds = {"decode": t1 - t0 - decoded.exif_seconds, "exif": decoded.exif_seconds,
               "thumbnail": t2 - t1, "preprocess": clock() - t2}
    return Look(decoded, small, hashed, pixels, seconds)
