"""The real camera files in ../shared/photos: every one catalogued or recorded with a reason."""

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from flux_ask.archive.home import Archive
from flux_ask.db.status import catalog_counts
from flux_ask.ingest.pipeline import Indexer
from flux_ask.picture.scan import kind_of

pytestmark = pytest.mark.shared


def visible_images(root: Path) -> set[str]:
    """As the catalog names them: under the folder's real path (../shared may be a link)."""
    out = set()
    root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out |= {str(Path(dirpath, f)) for f in filenames if not f.startswith(".") and kind_of(f)}
    return out


@pytest.fixture(scope="module")
def indexed(shared_photos, tmp_path_factory, tiny, catalog_backend):
    from flux_ask.config import load_settings

    settings = load_settings(tmp_path_factory.mktemp("home"), model="tiny-test")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        report = indexer.index([shared_photos])
        yield settings, report, indexer.conn


def test_every_file_is_catalogued_or_recorded_with_a_reason(indexed, shared_photos):
    settings, report, conn = indexed
    states = dict(conn.execute("SELECT path, state FROM files").fetchall())
    assert set(states) == visible_images(shared_photos)
    assert set(states.values()) <= {"ok", "error"}
    reasons = dict(conn.execute("SELECT path, error_reason FROM files WHERE state = 'error'").fetchall())
    assert all(reasons.values())
    assert 5 <= len(reasons) <= 15, reasons
    by_name = {Path(p).name: r for p, r in reasons.items()}
    assert by_name["empty.jpg"] == "empty_file"
    assert by_name["8bit-sRGB.jxl"] == "unsupported_format"
    status = catalog_counts(conn)
    assert status["embedded"] == status["photos"] > 500


def test_known_facts_of_the_corpus(indexed):
    settings, report, conn = indexed

    def photo(name):
        return conn.execute(
            "SELECT p.format, p.lat, p.lon, p.width, p.height, p.taken_at_source FROM photos p "
            "JOIN files f ON f.photo_id = p.id WHERE f.path LIKE ?", (f"%/{name}",)).fetchone()

    assert photo("this-is-a-jpeg.png")[0] == "JPEG"
    assert photo("buggy_panorama.jpg")[1] is None  # latitude 213.6 is no location
    fmt, lat, lon, *_ = photo("elephants.jpg") or (None, None, None)
    assert fmt == "JPEG"
    # no location ever sits at null island, or outside the globe
    assert conn.execute("SELECT count(*) FROM photos WHERE lat = 0 AND lon = 0").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM photos WHERE abs(lat) > 90 OR abs(lon) > 180").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM photos WHERE lat IS NOT NULL").fetchone()[0] > 50
    largest = conn.execute("SELECT max(width * height) FROM photos").fetchone()[0]
    assert largest >= 30_000_000  # the 30 MP image
    formats = {f for (f,) in conn.execute("SELECT DISTINCT format FROM photos")}
    assert {"JPEG", "PNG", "HEIF", "WEBP", "TIFF", "AVIF"} <= formats


def test_thumbnails_are_upright(indexed, shared_photos):
    settings, report, conn = indexed
    for orientation in range(1, 9):
        for shape in ("landscape", "portrait"):
            (sha,) = conn.execute(
                "SELECT p.sha256 FROM photos p JOIN files f ON f.photo_id = p.id WHERE f.path LIKE ?",
                (f"%/orientation/{shape}_{orientation}.jpg",)).fetchone()
            with Image.open(settings.thumbs_dir / "256" / sha[:2] / f"{sha}.jpg") as thumb:
                w, h = thumb.size
            assert (w > h) == (shape == "landscape"), (shape, orientation)


def test_fast_preprocessing_agrees_with_open_clip(shared_photos):
    """Draft-mode decoding + our crop against open_clip's own preprocess, through the
    real ViT-B-32 architecture (random weights): mean cosine over a sample of the corpus."""
    import open_clip
    import torch

    from flux_ask.embed import Preprocess
    from flux_ask.picture.decode import center_crop_square, decode

    torch.manual_seed(0)
    model, _, reference = open_clip.create_model_and_transforms("ViT-B-32")
    model.eval()
    paths = sorted(p for p in visible_images(shared_photos) if kind_of(p) == "image")[::8]
    ours, theirs = [], []
    for path in paths:
        try:
            decoded = decode(path, "image", 0, min_side=256, max_pixels=200_000_000)
            # the reference sees the full-resolution picture (no draft mode)
            upright = decode(path, "image", 0, min_side=100_000, max_pixels=200_000_000).image
        except Exception:
            continue
        ours.append(center_crop_square(decoded.image, 224))
        theirs.append(reference(upright))
    assert len(ours) > 50
    with torch.inference_mode():
        a = model.encode_image(torch.from_numpy(Preprocess().normalise(np.stack(ours))), normalize=True)
        b = model.encode_image(torch.stack(theirs), normalize=True)
    cosine = (a * b).sum(-1)
    assert cosine.mean().item() >= 0.99, cosine.min().item()


def test_raw_files_are_read_through_their_embedded_preview(indexed):
    settings, report, conn = indexed
    rows = conn.execute(
        "SELECT p.format, p.width, p.height, p.camera_model, p.taken_at_source, p.embedding_id FROM photos p "
        "JOIN files f ON f.photo_id = p.id WHERE f.path LIKE '%.dng'").fetchall()
    assert len(rows) == 2
    for fmt, _, _, camera, source, embedding_id in rows:
        assert fmt == "DNG" and camera and source == "DateTimeOriginal" and embedding_id
    assert max(w for _, w, *_ in rows) == 5392  # the Z 9's sensor width, not its preview's


def test_the_shared_photos_get_their_real_places(indexed):
    """The OpenSfM set is in Lund and Berlin, the exif-py GPS set in Tuscany: named at ingest,
    offline, and every photo with a position has a country unless it was taken at sea."""
    settings, report, conn = indexed

    def places(like):
        return {r for r in conn.execute(
            "SELECT p.country, p.region, p.locality FROM photos p JOIN files f ON f.photo_id = p.id "
            "WHERE f.path LIKE ? AND p.lat IS NOT NULL", (like,))}

    lund = places("%/opensfm/lund/%")
    assert lund and {(c, r) for c, r, _ in lund} == {("Sweden", "Skåne")} and ("Sweden", "Skåne", "Lund") in lund
    berlin = places("%/opensfm/berlin/%")
    assert berlin and {(c, r) for c, r, _ in berlin} == {("Germany", "Berlin")}
    tuscany = places("%/exif-py/jpg/gps/DSCN%")
    assert tuscany and {(c, r) for c, r, _ in tuscany} == {("Italy", "Tuscany")}
    unnamed = conn.execute("SELECT count(*) FROM photos WHERE lat IS NOT NULL AND place_version IS NULL").fetchone()
    assert unnamed == (0,) and report.counts["placed"] > 50


@pytest.mark.sqlite_only
def test_nothing_but_flux_asks_own_lines_reach_the_terminal(shared_photos, tmp_path):
    """Warnings of Pillow, exiv2, multiprocessing and the rest stay out of the user's terminal,
    with Python's default warning filters (the other tests' subprocesses turn them off)."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"} | {
        "FLUX_ASK_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    for command in (["index", str(shared_photos), "--model", "tiny-test", "--quiet"], ["facts"],
                    ["ask", "a dog on a red sofa"], ["keeper", "match", str(shared_photos / "coco-val2017")]):
        run = subprocess.run([sys.executable, "-m", "flux_ask", *command], env=env, capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0, (command, run.stderr)
        assert [line for line in run.stderr.splitlines() if not line.startswith("flux-ask: ")] == [], command
