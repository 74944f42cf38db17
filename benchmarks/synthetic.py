"""A synthetic archive shaped like the real one, for benchmarks at 400,000 photos.

Vectors are not Gaussian noise, where every neighbour is as far as any other:
like CLIP's, images share a common direction (the "cone": random pairs sit near
cosine 0.4), topics and scenes nest inside it, a few dimensions carry most of the
variance, and text queries live in their own cone (the modality gap, matching
images near cosine 0.3). Scenes are shooting sessions, so they cluster in time
and space. Dates span ten years of daily practice with a December trough; three
photos in four are near home (Philadelphia), the rest on trips; 8% have no GPS
and 1% no date. Forty subjects recur: each is shot again in six sessions on
random days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

HOME = (39.9526, -75.1652)
TRIPS = [(41.9028, 12.4964), (40.7128, -74.0060), (35.6762, 139.6503), (51.5074, -0.1278), (19.4326, -99.1332)]
FIRST_DAY = date(2016, 1, 1)
DAYS = 3650
N_MOTIFS = 40


@dataclass
class Archive:
    vectors: np.ndarray  # N x dim float32, unit rows
    taken_at: list[str | None]  # ISO local time
    lat: np.ndarray  # NaN where unknown
    lon: np.ndarray
    scene_of: np.ndarray  # the scene each photo belongs to
    topic_of_scene: np.ndarray
    text_cone: np.ndarray
    topics: np.ndarray
    scenes: np.ndarray
    spectrum: np.ndarray
    motifs: np.ndarray  # subjects that recur: each is the scene of six sessions
    motif_topics: np.ndarray
    motif_scenes: np.ndarray  # N_MOTIFS x 6

    def motif_of(self, photo: int) -> int | None:
        """The recurring subject a photo (by index) shows, if any."""
        hits = np.flatnonzero((self.motif_scenes == self.scene_of[photo]).any(axis=1))
        return int(hits[0]) if len(hits) else None

    def motif_queries(self, count: int, seed: int = 2) -> tuple[np.ndarray, np.ndarray]:
        """Text-like queries for recurring subjects, and which subject each asks for."""
        rng = np.random.default_rng(seed)
        which = rng.integers(len(self.motifs), size=count)
        noise = rng.standard_normal((count, len(self.spectrum))).astype(np.float32) * self.spectrum
        return _unit(0.55 * self.text_cone + 0.45 * self.topics[self.motif_topics[which]]
                     + 0.45 * self.motifs[which] + 0.25 * noise), which

    def text_queries(self, count: int, seed: int = 1) -> np.ndarray:
        """Text-like queries: a topic (sometimes narrowed to a scene) seen from the text cone."""
        rng = np.random.default_rng(seed)
        out = np.empty((count, self.vectors.shape[1]), np.float32)
        for i in range(count):
            scene = rng.integers(len(self.scenes))
            topic = self.topic_of_scene[scene]
            v = 0.55 * self.text_cone + 0.45 * self.topics[topic] + 0.25 * self.scenes[scene] \
                + 0.35 * rng.standard_normal(self.vectors.shape[1]).astype(np.float32) * self.spectrum
            out[i] = v / np.linalg.norm(v)
        return out


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


def make_archive(n: int = 400_000, dim: int = 768, seed: int = 0) -> Archive:
    rng = np.random.default_rng(seed)
    # a few strong dimensions, a long tail: per-dimension scale of the noise
    spectrum = (1.0 / np.sqrt(1 + np.arange(dim))).astype(np.float32)
    spectrum = rng.permutation(spectrum / np.sqrt(np.sum(spectrum ** 2)))  # unit-norm noise
    image_cone, text_cone = _unit(rng.standard_normal((2, dim)))
    n_topics, n_scenes = 300, max(N_MOTIFS * 6, n // 100)  # each motif takes six scenes of its own
    topics = _unit(rng.standard_normal((n_topics, dim)) * spectrum)
    topic_of_scene = rng.integers(n_topics, size=n_scenes)
    scenes = _unit(rng.standard_normal((n_scenes, dim)) * spectrum)
    # recurring motifs: a subject shot again in six sessions, whenever they fell
    motifs = _unit(rng.standard_normal((N_MOTIFS, dim)) * spectrum)
    motif_scenes = rng.choice(n_scenes, size=(N_MOTIFS, 6), replace=False)
    motif_topics = rng.integers(n_topics, size=N_MOTIFS)
    for j, chosen in enumerate(motif_scenes):
        scenes[chosen] = _unit(motifs[j] + 0.05 * rng.standard_normal((6, dim)).astype(np.float32) * spectrum)
        topic_of_scene[chosen] = motif_topics[j]

    # sessions: each scene is shot over a few days somewhere; photos per scene vary
    scene_weight = rng.pareto(1.5, n_scenes) + 1
    scene_of = rng.choice(n_scenes, size=n, p=scene_weight / scene_weight.sum())
    day = rng.integers(DAYS, size=n_scenes).astype(np.float64)
    winter = np.isin([(FIRST_DAY + timedelta(days=int(d))).month for d in day], (1, 2))
    day[winter & (rng.random(n_scenes) < 0.4)] -= 60  # fewer winter sessions
    day = np.clip(day, 0, DAYS - 1)
    spot = rng.random(n_scenes)
    base = np.array([HOME if s < 0.75 else TRIPS[int(s * 1000) % len(TRIPS)] for s in spot])
    spread_m = np.where(spot < 0.75, rng.uniform(50, 6000, n_scenes), rng.uniform(100, 3000, n_scenes))

    parts = 0.62 * image_cone + 0.45 * topics[topic_of_scene[scene_of]] + 0.45 * scenes[scene_of]
    vectors = np.empty((n, dim), np.float32)
    for a in range(0, n, 50_000):  # in chunks, to bound memory
        noise = rng.standard_normal((min(50_000, n - a), dim)).astype(np.float32) * spectrum
        vectors[a:a + 50_000] = _unit(parts[a:a + 50_000] + 0.42 * noise)

    when = day[scene_of] + rng.uniform(0, 3, n) + rng.uniform(7 / 24, 20 / 24, n)
    meters = spread_m[scene_of] * np.sqrt(rng.random(n))
    angle = rng.uniform(0, 2 * np.pi, n)
    lat = base[scene_of, 0] + meters * np.cos(angle) / 111_320
    lon = base[scene_of, 1] + meters * np.sin(angle) / (111_320 * np.cos(np.radians(base[scene_of, 0])))
    lat[rng.random(n) < 0.08] = np.nan
    lon[np.isnan(lat)] = np.nan
    undated = rng.random(n) < 0.01
    start = np.datetime64(FIRST_DAY.isoformat(), "s")
    stamps = (start + (when * 86400).astype("timedelta64[s]")).astype(str)
    taken_at = [None if undated[i] else stamps[i] for i in range(n)]
    return Archive(vectors, taken_at, lat, lon, scene_of, topic_of_scene, text_cone, topics, scenes, spectrum,
                   motifs, motif_topics, motif_scenes)


def write_catalog(settings, model_args: tuple[str, str, int], archive: Archive) -> None:
    """The archive's photos, files and vectors, written into a real catalog through the
    catalog's own functions, in one transaction."""
    from flux_ask.archive.home import Archive as Home
    from flux_ask.db.models import activate_model, register_model

    conn = Home(settings, create=True).conn
    model = register_model(conn, *model_args)
    activate_model(conn, model)
    with conn:
        add_photos(conn, model, archive, range(len(archive.vectors)))
    conn.close()


def add_photos(conn, model, archive: Archive, rows: range, first_id: int = 0) -> None:
    """Photos `rows` of the archive, as catalog ids from `first_id` on (a later batch can
    bring the same pictures again as new photos), in the caller's transaction."""
    from flux_ask.db.files import record_file
    from flux_ask.db.photos import insert_photo
    from flux_ask.db.vectors import store_embedding

    for n, i in enumerate(rows, start=first_id):
        known = archive.taken_at[i] is not None
        photo_id = insert_photo(conn, {
            "sha256": f"{n:064x}", "bytes": 5_000_000,
            "taken_at": archive.taken_at[i] if known else "2026-01-01T00:00:00",
            "taken_at_source": "DateTimeOriginal" if known else "file_mtime",
            "lat": None if np.isnan(archive.lat[i]) else float(archive.lat[i]),
            "lon": None if np.isnan(archive.lon[i]) else float(archive.lon[i]),
        })
        record_file(conn, f"/archive/{n // 1000:03d}/{n:06d}.jpg", photo_id=photo_id, size=5_000_000, mtime_ns=n,
                    state="ok")
        store_embedding(conn, model, photo_id, archive.vectors[i])
