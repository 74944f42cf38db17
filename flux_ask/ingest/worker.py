"""The per-file work of an ingest, run in worker processes: the hash, then the picture
work of picture/look.py, and the thumbnail saved. Pure of the catalog but for one read-only
look-up that spares decoding files whose content is already embedded."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from flux_ask.db.connect import open_readonly
from flux_ask.db.photos import is_embedded
from flux_ask.db.postgres import is_url
from flux_ask.db.runs import claim
from flux_ask.errors import RejectedFile, is_passing, passing_reason
from flux_ask.picture.decode import register_plugins
from flux_ask.picture.look import Crop, look
from flux_ask.picture.metadata import META_VERSION, read_meta
from flux_ask.picture.scan import NOT_A_FILE, what_it_is
from flux_ask.picture.sha256 import sha256_file
from flux_ask.picture.thumbs import save_thumbnail, thumb_path


@dataclass(frozen=True)
class Task:
    path: str
    kind: str
    size: int
    mtime_ns: int
    sha256: str | None = None  # known already (re-embedding a catalogued photo)
    pixels: bool = True  # False: only its thumbnail is wanted (the cache lost it)
    sidecar: str | None = None  # the photographer's XMP beside it
    sidecar_mtime_ns: int | None = None
    claim_for: int | None = None  # the run that claims its content before decoding it (a shared catalog)


@dataclass(frozen=True)
class WorkerConfig:
    catalog: str  # the SQLite catalog's file, or a PostgreSQL catalog's URL
    thumbs_dir: Path
    thumb_size: int
    crop: Crop
    max_pixels: int


@dataclass
class Prepared:
    path: str
    size: int
    mtime_ns: int
    sha256: str | None = None
    reason: str | None = None  # set when the file is rejected
    detail: str | None = None
    pixels: np.ndarray | None = None  # the model's input crop; None when already embedded
    photo: dict[str, Any] | None = None  # photo columns, with pixels
    keywords: tuple[str, ...] = ()  # with photo
    sidecar: str | None = None  # the photographer's XMP beside it
    sidecar_mtime_ns: int | None = None  # of the sidecar it was read with
    phash: int | None = None  # the thumbnail's perceptual hash, with pixels
    elsewhere: bool = False  # another indexer sharing the catalog is embedding this content now
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return self.reason is not None


_config: WorkerConfig | None = None
_catalog = None  # an apsw or a PostgreSQL connection


def init_pool_worker(config: WorkerConfig) -> None:
    """A decode process: lower priority, so the model sets the pace and decoding fills
    the gaps it leaves, never the reverse."""
    try:
        os.nice(5)
    except (AttributeError, OSError):
        pass
    init_worker(config)


def init_worker(config: WorkerConfig) -> None:
    """Configure `prepare` in this process (a pool worker, or the indexer itself for a
    single photo)."""
    global _config, _catalog
    _config = config
    Image.MAX_IMAGE_PIXELS = config.max_pixels
    _catalog = None
    if is_url(config.catalog) or Path(config.catalog).exists():
        _catalog = open_readonly(config.catalog)


def _already_embedded(sha256: str) -> bool:
    return _catalog is not None and is_embedded(_catalog, sha256)


def read_facts(task: Task) -> tuple[dict[str, Any] | None, tuple[str, ...]]:
    """A photo's metadata read again without its pixels (a newer reader, a changed sidecar):
    (fact columns, keywords), or (None, ()) when the file cannot be read now."""
    register_plugins()
    try:
        image = Image.open(task.path)  # the header only: no pixels are decoded
    except Exception:  # noqa: BLE001 - a RAW Pillow cannot open: exiv2 reads it alone
        image = None
    try:
        if not Path(task.path).is_file():
            return None, ()
        meta = read_meta(task.path, image, task.mtime_ns, sidecar=task.sidecar,
                         heif=image is not None and image.format == "HEIF")
    except Exception:  # noqa: BLE001 - unreadable now: its old facts stand, and it is read next time
        return None, ()
    finally:
        if image is not None:
            image.close()
    return {**meta.columns(), "meta_version": META_VERSION}, meta.keywords


def prepare(task: Task) -> Prepared:
    """Never raises for a bad file: the reason comes back in the result."""
    assert _config is not None, "init_worker first"
    cfg = _config
    out = Prepared(task.path, task.size, task.mtime_ns, sha256=task.sha256, sidecar=task.sidecar,
                   sidecar_mtime_ns=task.sidecar_mtime_ns)
    clock = time.perf_counter
    try:
        if task.kind == NOT_A_FILE:
            raise RejectedFile(NOT_A_FILE, what_it_is(task.path))
        if task.size == 0:
            raise RejectedFile("empty_file", "the file is empty")
        t0 = clock()
        if out.sha256 is None:
            out.sha256 = sha256_file(task.path)
            out.seconds["hash"] = clock() - t0
            if _already_embedded(out.sha256):
                return out  # a move, a copy or a touched file: nothing to decode
        if task.claim_for is not None and task.pixels:
            if not claim(_catalog, out.sha256, task.claim_for):
                out.elsewhere = True  # done there: this run records the file once it is
                return out
            if _already_embedded(out.sha256):
                return out  # stored by another indexer between the look and the claim
        seen = look(task.path, task.kind, task.mtime_ns, thumb_size=cfg.thumb_size, crop=cfg.crop,
                    max_pixels=cfg.max_pixels, sidecar=task.sidecar)
        t1 = clock()
        save_thumbnail(seen.small, thumb_path(cfg.thumbs_dir, out.sha256, cfg.thumb_size))
        out.phash, out.pixels, decoded = seen.phash, seen.pixels if task.pixels else None, seen.decoded
        out.seconds.update(seen.seconds)
        out.seconds["thumbnail"] += clock() - t1
        out.photo = {
            "sha256": out.sha256,
            "bytes": task.size,
            "format": decoded.format,
            "width": decoded.width,
            "height": decoded.height,
            **decoded.meta.columns(),
            "meta_version": META_VERSION,
        }
        out.keywords = decoded.meta.keywords
    except RejectedFile as exc:
        out.reason, out.detail, out.pixels, out.photo = exc.reason, exc.detail[:500], None, None
    except MemoryError:
        out.reason, out.detail = "too_large", "not enough memory to decode"
    except Exception as exc:
        if is_passing(exc):  # vanished, unreadable, no space: tried again on the next run
            out.reason, out.detail = passing_reason(exc), exc.strerror or str(exc)
        else:  # a decoder bug on one file must not stop the archive
            out.reason, out.detail = "undecodable", f"{type(exc).__name__}: {exc}"[:500]
        out.pixels = out.photo = None
    return out
