"""Match a keeper folder (the files that went into issues) to the catalogued corpus.

Exact copies match by SHA-256. The rest were edited, re-exported, resized or
cropped, so each is decoded once and compared with a few candidates (the corpus
photos nearest by CLIP embedding, and those nearest by perceptual hash) by the
aligned perceptual hash of fingerprint.py, which also sees through small crops.
The embedding proposes, the hash decides: CLIP puts near-identical frames of a
burst side by side, which only the pixels can tell apart, and a runner-up nearly
as close as the winner leaves the match unknown rather than wrong.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from flux_ask.archive.home import Archive
from flux_ask.archive.keeper_model import KeeperError
from flux_ask.db import keeper as store
from flux_ask.db.files import files_under
from flux_ask.db.hashes import all_hashes, photos_without_hash, store_hashes
from flux_ask.db.photos import photo_by_sha, photo_details
from flux_ask.errors import FluxAskError, RejectedFile
from flux_ask.picture import look as pictures
from flux_ask.picture.decode import decode
from flux_ask.picture.look import Crop
from flux_ask.picture.phash import aligned_distance, distances, phash
from flux_ask.picture.scan import NOT_PHOTOS, kind_of, scan
from flux_ask.picture.sha256 import sha256_file
from flux_ask.picture.thumbs import detail_thumbnail, shrink, thumb_path
from flux_ask.processes import spawn_pool

MATCH_DISTANCE = 10  # aligned hash bits at or under which two pictures are one photograph
AMBIGUITY_GAP = 3  # a runner-up within this many bits of the best leaves the match unknown
CANDIDATE_DISTANCE = 16  # corpus photos this close by plain hash are candidates ...
EMBEDDING_CANDIDATES = 8  # ... and so are the nearest this many by embedding
LOOKALIKE_COSINE = 0.95  # this close by embedding, clearly closer than the next, but the pixels
LOOKALIKE_MARGIN = 0.03  # disagree (a heavy edit?): unknown, not "not kept"
POOL_FROM = 16  # fewer files than this are read in this process
EMBED_BATCH = 32

Progress = Callable[[str, int, int], None]


@dataclass
class KeeperMatch:
    path: str
    status: str  # matched | ambiguous | unmatched | error
    sha256: str | None = None
    photo_id: int | None = None
    method: str | None = None  # sha256 | near-duplicate
    confidence: float | None = None
    phash_distance: int | None = None
    cosine: float | None = None
    candidates: list[int] | None = None  # ambiguous: the photos it may be
    reason: str | None = None


@dataclass
class MatchReport:
    root: str
    files: list[KeeperMatch]
    labels: dict[str, int] = field(default_factory=dict)
    hashed: int = 0  # corpus photos given a perceptual hash in this run
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("matched", "ambiguous", "unmatched", "error")}
        for f in self.files:
            out[f.status] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"root": self.root, "counts": self.counts(), "labels": self.labels, "hashed": self.hashed,
                "warnings": self.warnings, "seconds": round(self.seconds, 2),
                "files": [asdict(f) for f in self.files]}


@dataclass
class Look:
    """What a worker makes of one keeper file."""
    path: str
    sha256: str | None = None
    small: Image.Image | None = None  # the grid thumbnail
    phash: int | None = None
    pixels: np.ndarray | None = None  # the model's input crop
    reason: str | None = None
    detail: str | None = None


# -- worker side ----------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    thumb_size: int
    max_pixels: int
    crop: Crop = Crop()


def _init(max_pixels: int) -> None:
    Image.MAX_IMAGE_PIXELS = max_pixels


def _hash(path: str) -> Look:
    try:
        if Path(path).stat().st_size == 0:
            return Look(path, reason="empty_file", detail="the file is empty")
        return Look(path, sha256=sha256_file(path))
    except OSError as exc:
        return Look(path, reason="unreadable", detail=exc.strerror or str(exc))


def _look(job: tuple[str, str, str, Setup]) -> Look:
    path, kind, sha, setup = job
    try:
        seen = pictures.look(path, kind, Path(path).stat().st_mtime_ns, thumb_size=setup.thumb_size, crop=setup.crop,
                    max_pixels=setup.max_pixels)
        return Look(path, sha, seen.small, seen.phash, seen.pixels)
    except RejectedFile as exc:
        return Look(path, sha, reason=exc.reason, detail=exc.detail[:300])
    except OSError as exc:
        return Look(path, sha, reason="unreadable", detail=exc.strerror or str(exc))
    except Exception as exc:  # a decoder bug on one keeper must not stop the rest
        return Look(path, sha, reason="undecodable", detail=f"{type(exc).__name__}: {exc}"[:300])


def _backfill_hash(job: tuple[int, str, str, Setup]) -> tuple[int, int | None]:

    photo_id, thumb, original, setup = job
    try:
        with Image.open(thumb) as image:
            return photo_id, phash(image.convert("RGB"))
    except OSError:
        pass
    try:  # no thumbnail on disk: from the original
        decoded = decode(original, kind_of(original) or "image", 0, min_side=setup.thumb_size,
                         max_pixels=setup.max_pixels)
        return photo_id, phash(shrink(decoded.image, setup.thumb_size))
    except Exception:
        return photo_id, None


# -- matcher --------------------------------------------------------------------------

class KeeperMatcher:
    def __init__(self, archive: Archive, progress: Progress | None = None):
        self.archive = archive
        self.settings = archive.settings
        self.conn = archive.conn
        self.progress = progress or (lambda stage, done, total: None)
        self._pool: ProcessPoolExecutor | None = None

    def match(self, root: Path) -> MatchReport:

        started = time.perf_counter()
        root = root.expanduser().resolve()
        if not root.is_dir():
            raise FluxAskError(f"not a folder: {root}")
        self.archive.model()  # raises when the corpus is empty
        files = [c for c in scan(root) if c.kind not in NOT_PHOTOS]
        if not files:
            raise KeeperError(f"no photographs in {root}: nothing to match")
        report = MatchReport(str(root), [])
        inside = len(files_under(self.conn, str(root)))
        if inside:
            report.warnings.append(
                f"{inside} files of {root} are catalogued themselves (it is inside an indexed folder): "
                "a keeper matches its own copy there, not its original"
            )
        try:
            report.hashed = self._backfill_hashes()
            results: dict[str, KeeperMatch] = {}
            pending = []
            unsupported = {c.path for c in files if c.kind == "unsupported"}
            kinds = {c.path: c.kind for c in files}
            for n, look in enumerate(self._map(_hash, [c.path for c in files]), start=1):
                self.progress("hash", n, len(files))
                if look.reason:
                    results[look.path] = KeeperMatch(look.path, "error", reason=f"{look.reason}: {look.detail}")
                elif (found := photo_by_sha(self.conn, look.sha256)) is not None:
                    results[look.path] = KeeperMatch(look.path, "matched", look.sha256, found[0], "sha256", 1.0, 0)
                elif look.path in unsupported:
                    results[look.path] = KeeperMatch(look.path, "error", look.sha256,
                                                     reason="unsupported_format: no decoder for this file type")
                else:
                    pending.append((look.path, kinds[look.path], look.sha256))
            if pending:
                for match in self._near_duplicates(pending):
                    results[match.path] = match
        finally:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
        report.files = [results[c.path] for c in files]
        store.replace_keeper_files(self.conn, str(root), [asdict(f) for f in report.files])
        report.labels = store.rebuild_labels(self.conn)
        report.seconds = time.perf_counter() - started
        return report

    # -- steps --------------------------------------------------------------------------

    def _map(self, fn, jobs: list) -> Iterable:
        if len(jobs) < POOL_FROM:
            _init(self.settings.max_pixels)
            return map(fn, jobs)
        if self._pool is None:
            self._pool = spawn_pool(self.settings.workers, _init, (self.settings.max_pixels,))
        return self._pool.map(fn, jobs, chunksize=8)

    def _backfill_hashes(self) -> int:
        """Photos catalogued before perceptual hashes were kept get one, from their thumbnail."""

        todo = photos_without_hash(self.conn)
        setup = Setup(self.settings.thumb_size, self.settings.max_pixels)
        jobs = [(pid, str(thumb_path(self.settings.thumbs_dir, sha, self.settings.thumb_size)), path, setup)
                for pid, sha, path in todo]
        done = []
        for n, (photo_id, value) in enumerate(self._map(_backfill_hash, jobs), start=1):
            self.progress("hash corpus", n, len(jobs))
            if value is not None:
                done.append((photo_id, value))
        store_hashes(self.conn, done)
        return len(done)

    def _near_duplicates(self, pending: list[tuple[str, str, str]]) -> list[KeeperMatch]:
        embedder = self.archive.encoder()
        pre = embedder.preprocess
        setup = Setup(self.settings.thumb_size, self.settings.max_pixels,
                      Crop(pre.size, pre.resize_mode, pre.interpolation))
        matrix = self.archive.matrix()
        hash_ids, hashes = all_hashes(self.conn)
        out, batch = [], []

        def decide(looks: list[Look]) -> None:
            vectors = embedder.encode_images(np.stack([look.pixels for look in looks]))
            out.extend(self._decide(look, v, matrix, hash_ids, hashes) for look, v in zip(looks, vectors, strict=True))
            self.progress("match", len(out), len(pending))

        for look in self._map(_look, [(*job, setup) for job in pending]):
            if look.reason:
                out.append(KeeperMatch(look.path, "error", look.sha256, reason=f"{look.reason}: {look.detail}"))
                continue
            batch.append(look)
            if len(batch) == EMBED_BATCH:
                decide(batch)
                batch = []
        if batch:
            decide(batch)
        return out

    def _decide(self, look: Look, vector: np.ndarray, matrix, hash_ids: np.ndarray, hashes: np.ndarray) -> KeeperMatch:
        nearest, near_cosines, _ = matrix.best(vector, None, EMBEDDING_CANDIDATES)
        close = hash_ids[distances(look.phash, hashes) <= CANDIDATE_DISTANCE] if len(hashes) else []
        candidates = list(dict.fromkeys([*map(int, close), *map(int, matrix.photo_ids[nearest])]))
        scored = sorted((self._distance(look.small, pid), pid) for pid in candidates)
        scored = [(d, pid) for d, pid in scored if d is not None]

        def cosine_of(photo_id: int) -> float | None:
            row = matrix.row_of(photo_id)
            return None if row is None else round(float(matrix.vectors.score(vector, np.array([row]))[0]), 4)

        base = KeeperMatch(look.path, "unmatched", look.sha256)
        if scored and scored[0][0] <= MATCH_DISTANCE:
            best, photo_id = scored[0]
            rivals = [pid for d, pid in scored[1:] if d <= MATCH_DISTANCE and d - best < AMBIGUITY_GAP]
            if rivals:
                base.status, base.candidates = "ambiguous", [photo_id, *rivals]
                base.reason = f"{1 + len(rivals)} photos match it nearly equally well (a burst?)"
                base.phash_distance = best
                return base
            runner = scored[1][0] if len(scored) > 1 else 64
            base.status, base.photo_id, base.method, base.phash_distance = "matched", photo_id, "near-duplicate", best
            base.confidence = round((1 - best / 32) * min(1.0, (runner - best) / 8), 3)
            base.cosine = cosine_of(photo_id)
            return base
        top = float(near_cosines[0]) if len(nearest) else -1.0
        second = float(near_cosines[1]) if len(nearest) > 1 else -1.0
        if top >= LOOKALIKE_COSINE and top - second >= LOOKALIKE_MARGIN:
            photo_id = int(matrix.photo_ids[nearest[0]])
            base.status, base.candidates, base.cosine = "ambiguous", [photo_id], round(top, 4)
            base.reason = f"looks like photo {photo_id} (cosine {top:.3f}) but the pictures do not line up"
            return base
        if scored:
            d, pid = scored[0]
            base.reason = f"not in the catalog (closest: photo {pid}, {d} bits apart, cosine {cosine_of(pid)})"
        else:
            base.reason = "not in the catalog"
        return base

    def _distance(self, keeper_small: Image.Image, photo_id: int) -> int | None:

        details = photo_details(self.conn, [photo_id]).get(photo_id)
        if not details or not details["path"]:
            return None
        try:
            thumb = detail_thumbnail(self.settings.thumbs_dir, details["sha256"], details["path"],
                                     kind_of(details["path"]) or "image", self.settings.thumb_size,
                                     self.settings.max_pixels)
            with Image.open(thumb) as image:
                return aligned_distance(keeper_small, image.convert("RGB"))
        except (OSError, RejectedFile):
            return None

