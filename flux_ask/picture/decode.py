"""Decode a photograph upright, cheaply: Pillow's JPEG draft mode lets libjpeg scale
by 1/2, 1/4 or 1/8 inside the DCT, so a 24 MP file costs a fraction of a full decode."""

from __future__ import annotations

import io
import os
import time
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from flux_ask.errors import RejectedFile, is_passing
from flux_ask.picture.metadata import PhotoMeta, read_meta

# Transpositions that make EXIF orientations 2..8 upright.
_UPRIGHT = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}

_registered = False


def register_plugins() -> None:
    """HEIC/HEIF through pillow-heif; AVIF is native to Pillow."""
    global _registered
    if not _registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _registered = True


@dataclass
class Decoded:
    image: Image.Image  # upright RGB, at least `min_side` px on its short side where the original is
    format: str
    width: int  # upright size of the original
    height: int
    meta: PhotoMeta
    exif_seconds: float = 0.0


def decode(path: str, kind: str, mtime_ns: int, *, min_side: int, max_pixels: int,
           sidecar: str | None = None) -> Decoded:
    """Open, check, read the metadata (and the sidecar's) and decode `path`. Raises RejectedFile with a reason."""
    register_plugins()
    if kind == "unsupported":
        raise RejectedFile("unsupported_format", "no decoder for this file type")
    data_image, meta_image, sensor_size = _open(path, kind, min_side)
    try:
        width, height = data_image.size
        if width * height > max_pixels:
            raise RejectedFile(
                "decompression_bomb", f"{width}x{height} is over the {max_pixels:,}-pixel limit"
            )
        started = time.perf_counter()
        meta = read_meta(path, meta_image, mtime_ns, sidecar=sidecar, heif=data_image.format == "HEIF")
        exif_seconds = time.perf_counter() - started
        if sensor_size is not None:  # RAW: the picture is the sensor's, not the preview's
            width, height = sensor_size
            fmt = os.path.splitext(path)[1].lstrip(".").upper()
        else:
            fmt = (data_image.format or kind).upper()
        if data_image.format == "JPEG":
            data_image.draft("RGB", (min_side, min_side))
        try:
            data_image.load()
        except OSError as exc:
            if is_passing(exc):
                raise  # the disk's fault, not the picture's
            reason = "truncated" if "truncated" in str(exc).lower() else "undecodable"
            raise RejectedFile(reason, str(exc)) from None
        except (SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
            raise RejectedFile("undecodable", str(exc) or type(exc).__name__) from None
        upright = _reduce(to_rgb(data_image), min_side)  # reduce() takes few modes: RGB first
        for step in _UPRIGHT.get(meta.orientation, ()):
            upright = upright.transpose(step)
        if meta.orientation >= 5:
            width, height = height, width
        return Decoded(upright, fmt, width, height, meta, exif_seconds)
    finally:
        if meta_image is not data_image:
            meta_image.close()


def _reduce(image: Image.Image, min_side: int) -> Image.Image:
    """Box-reduce by an integer factor while both sides stay >= 2 x min_side: what
    draft mode does for JPEG, for every other format. The final resize then works
    on a small image and still sees every source pixel."""
    factor = min(image.size) // (2 * min_side)
    return image.reduce(factor) if factor >= 2 else image


def _open(path: str, kind: str, min_side: int = 0) -> tuple[Image.Image, Image.Image, tuple[int, int] | None]:
    """(image to decode, image whose EXIF to read, RAW sensor size): the first two
    are one and the same except for RAW."""
    if kind == "raw":
        return _open_raw(path, min_side)
    try:
        image = Image.open(path)
    except UnidentifiedImageError:
        raise RejectedFile("undecodable", "not a picture any decoder recognises") from None
    except Image.DecompressionBombError as exc:
        raise RejectedFile("decompression_bomb", str(exc)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        if is_passing(exc):
            raise  # vanished, unreadable, no permission: not the picture's fault
        raise RejectedFile("undecodable", str(exc) or type(exc).__name__) from None
    return image, image, None


def _open_raw(path: str, min_side: int = 0) -> tuple[Image.Image, Image.Image, tuple[int, int]]:
    """The embedded preview (or, where it is smaller than `min_side`, the sensor data itself,
    developed at half size), and the picture's size as the raw decoder develops it: the
    sensor's visible area stretched by its pixel aspect, before the EXIF orientation."""
    import rawpy

    try:
        with rawpy.imread(path) as raw:
            sizes = raw.sizes
            width, height = sizes.width, sizes.height
            if sizes.pixel_aspect and sizes.pixel_aspect < 1:  # non-square sensels, as dcraw stretches them
                height = round(height / sizes.pixel_aspect)
            elif sizes.pixel_aspect and sizes.pixel_aspect > 1:
                width = round(width * sizes.pixel_aspect)
            try:
                thumb = raw.extract_thumb()
                preview = Image.open(io.BytesIO(thumb.data)) if thumb.format == rawpy.ThumbFormat.JPEG \
                    else Image.fromarray(thumb.data)
            except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
                preview = None
            if preview is None or min(preview.size) < min_side:  # an 80x60 preview makes no thumbnail
                developed = raw.postprocess(half_size=True, use_camera_wb=True, user_flip=0, output_bps=8)
                preview = Image.fromarray(developed)
    except rawpy.LibRawError as exc:
        raise RejectedFile("unsupported_format", f"RAW not readable: {exc}") from None
    except (MemoryError, ValueError) as exc:
        raise RejectedFile("raw_without_preview",
                           f"no usable preview, and the sensor data would not develop ({exc})") from None
    # Most RAW formats are TIFF inside: Pillow reads their EXIF even where it cannot
    # decode the sensor data. Otherwise the preview's own EXIF is all there is.
    try:
        meta_image = Image.open(path)
    except Exception:
        meta_image = preview
    return preview, meta_image, (width, height)


def to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        # 16-bit greys: scale to 8 bits rather than clip (wider ranges by their maximum)
        array = np.asarray(image, dtype=np.float32)
        top = max(float(array.max()), 1.0)
        full_scale = 65535.0 if top <= 65535 else top
        image = Image.fromarray(np.clip(array * (255.0 / full_scale), 0, 255).round().astype(np.uint8))
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")  # Pillow's own advice for palette transparency
    return image.convert("RGB")


STRIP_RATIO = 16  # a picture longer than this many times its width (or the reverse) is a strip


def center_crop_square(image: Image.Image, size: int, *, resample: int = Image.Resampling.BICUBIC) -> np.ndarray:
    """What open_clip's eval preprocess does before normalising: resize the short side
    to `size` (torchvision's rounding), then crop the centre. HxWx3 uint8."""
    width, height = image.size
    if width <= height:
        new_w, new_h = size, int(size * height / width)
    else:
        new_w, new_h = int(size * width / height), size
    top = int(round((new_h - size) / 2.0))
    left = int(round((new_w - size) / 2.0))
    if new_w * new_h <= STRIP_RATIO * size * size:  # as torchvision does it, pixel for pixel
        resized = image.resize((new_w, new_h), resample)
        return np.asarray(resized.crop((left, top, left + size, top + size)), dtype=np.uint8)
    # a strip (1x20,000 pixels) would be resized to 224x4,480,000 (gigabytes) for the 224x224
    # kept of it: only the source region under the crop is resampled
    box = (left * width / new_w, top * height / new_h, (left + size) * width / new_w, (top + size) * height / new_h)
    return np.asarray(image.resize((size, size), resample, box=box), dtype=np.uint8)


def squash(image: Image.Image, size: int, *, resample: int = Image.Resampling.BICUBIC) -> np.ndarray:
    return np.asarray(image.resize((size, size), resample), dtype=np.uint8)


def model_input(image: Image.Image, size: int, resize_mode: str, interpolation: str) -> np.ndarray:
    """The image encoder's HxWx3 uint8 input, prepared as the model's preprocess says."""
    resample = Image.Resampling.BICUBIC if interpolation == "bicubic" else Image.Resampling.BILINEAR
    crop = squash if resize_mode == "squash" else center_crop_square
    return crop(image, size, resample=resample)
