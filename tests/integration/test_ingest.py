import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from flux_ask.archive.home import Archive
from flux_ask.db.models import active_model
from flux_ask.db.status import catalog_counts, integrity_ok
from flux_ask.db.vectors import vectors_by_content
from flux_ask.ingest.pipeline import Indexer
from tests.photos import exif_for, make_archive, write_photo


def run(settings, tiny, *inputs, sweep=True):
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        report = indexer.index(list(inputs), sweep=sweep)
        return report, indexer.conn


def files(conn):
    return {p: (photo, state, reason) for p, photo, state, reason in
            conn.execute("SELECT path, photo_id, state, error_reason FROM files")}


def tree_fingerprint(root: Path):
    """Every path, size, mtime and content hash under root."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath, name)
            st = p.stat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else None
            out[str(p)] = (st.st_size, st.st_mtime_ns, digest)
    return out


def test_index_catalogs_photos_with_vectors_thumbnails_and_exif(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    make_archive(archive, 12)
    write_photo(archive / "gps.jpg", 99, exif=exif_for(taken="2022:01:15 10:00:00", lat=39.9522, lon=-75.2026))
    report, conn = run(settings, tiny, archive)

    assert report.counts["new_photos"] == 13 and report.counts["embedded"] == 13
    assert report.counts["errors"] == 0
    model = active_model(conn)
    assert (model.name, model.pretrained, model.dim) == ("tiny-test", "random-init-seed0", 64)
    vecs = dict(vectors_by_content(conn, model))
    assert len(vecs) == 13
    for v in vecs.values():
        assert v.shape == (64,) and abs(np.linalg.norm(v) - 1) < 1e-5
    row = conn.execute("SELECT sha256, lat, taken_at_utc, embedding_id, embedded_at FROM photos "
                       "WHERE lat IS NOT NULL").fetchone()
    sha, lat, utc, embedding_id, embedded_at = row
    assert lat == pytest.approx(39.9522, abs=1e-5) and utc == "2022-01-15T15:00:00+00:00"
    assert embedding_id is not None and embedded_at is not None
    thumb = settings.thumbs_dir / "256" / sha[:2] / f"{sha}.jpg"
    assert thumb.exists() and max(__import__("PIL.Image").Image.open(thumb).size) == 256
    assert integrity_ok(conn)


def test_rerun_over_an_unchanged_tree_embeds_nothing(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    make_archive(archive, 6)
    run(settings, tiny, archive)
    report, _ = run(settings, tiny, archive)
    assert report.counts["unchanged"] == 6
    assert report.counts["embedded"] == report.counts["new_photos"] == report.counts["new_files"] == 0


def test_same_content_at_two_paths_is_one_photo_embedded_once(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    (first,) = make_archive(archive, 1)
    shutil.copy2(first, archive / "copy-of-first.jpg")
    report, conn = run(settings, tiny, archive)
    assert report.counts["new_photos"] == 1 and report.counts["embedded"] == 1
    assert report.counts["new_files"] == 2
    photo_ids = {photo for photo, state, _ in files(conn).values()}
    assert len(photo_ids) == 1


def test_a_moved_file_keeps_its_photo_and_vector(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    paths = make_archive(archive, 4)
    _, conn = run(settings, tiny, archive)
    before = conn.execute("SELECT id, embedding_id FROM photos ORDER BY id").fetchall()
    moved = archive / "renamed" / "new-name.jpg"
    moved.parent.mkdir()
    paths[0].rename(moved)

    report, conn = run(settings, tiny, archive)

    assert report.counts["embedded"] == 0 and report.counts["new_photos"] == 0
    assert report.counts["new_files"] == 1 and report.counts["missing"] == 1
    assert conn.execute("SELECT id, embedding_id FROM photos ORDER BY id").fetchall() == before
    state = files(conn)
    assert state[str(moved)][1] == "ok" and state[str(paths[0])][1] == "missing"
    assert state[str(moved)][0] == state[str(paths[0])][0]


def test_a_changed_file_is_embedded_again(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    paths = make_archive(archive, 3)
    _, conn = run(settings, tiny, archive)
    old_photo = files(conn)[str(paths[1])][0]
    write_photo(paths[1], seed=1234)

    report, conn = run(settings, tiny, archive)

    assert report.counts["embedded"] == 1 and report.counts["new_photos"] == 1
    assert files(conn)[str(paths[1])][0] != old_photo


def test_a_vanished_file_is_marked_missing_never_deleted(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    paths = make_archive(archive, 3)
    run(settings, tiny, archive)
    paths[2].unlink()
    report, conn = run(settings, tiny, archive)
    assert report.counts["missing"] == 1
    assert conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 3
    status = catalog_counts(conn)
    assert status["missing_photos"] == 1 and status["missing_files"] == 1
    # and it comes back when the file does
    write_photo(paths[2], seed=2, exif=exif_for(taken="2017:03:03 12:00:00"))
    report, conn = run(settings, tiny, archive)
    assert files(conn)[str(paths[2])][1] == "ok"


def test_indexing_one_folder_does_not_mark_another_missing(tmp_path, settings, tiny):
    make_archive(tmp_path / "a", 2)
    make_archive(tmp_path / "ab", 2, start_seed=10)  # a sibling whose name shares the prefix
    run(settings, tiny, tmp_path / "a")
    run(settings, tiny, tmp_path / "ab")
    report, conn = run(settings, tiny, tmp_path / "a")
    assert report.counts["missing"] == 0
    assert catalog_counts(conn)["missing_files"] == 0


def test_bad_files_are_recorded_and_skipped_and_the_originals_are_untouched(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    make_archive(archive, 3)
    (archive / "empty.jpg").write_bytes(b"")
    (archive / "junk.jpg").write_bytes(b"\x00" * 1000)
    good = write_photo(tmp_path / "t.jpg", size=(900, 700))
    (archive / "truncated.jpg").write_bytes(good.read_bytes()[:3000])
    (archive / "photo.jxl").write_bytes(b"\xff\x0a" + b"\x00" * 100)
    write_photo(archive / "mislabelled.png", 7)  # a JPEG named .png
    before = tree_fingerprint(archive)

    report, conn = run(settings, tiny, archive)

    assert tree_fingerprint(archive) == before
    reasons = {Path(p).name: r for p, (_, state, r) in files(conn).items() if state == "error"}
    assert reasons == {"empty.jpg": "empty_file", "junk.jpg": "undecodable", "truncated.jpg": "truncated",
                       "photo.jxl": "unsupported_format"}
    assert report.counts["new_photos"] == 4
    assert catalog_counts(conn)["errors"] == {"empty_file": 1, "truncated": 1, "undecodable": 1,
                                              "unsupported_format": 1}
    # errors are remembered: an unchanged broken file is not retried
    report, _ = run(settings, tiny, archive)
    assert report.counts["errors"] == 0 and report.counts["unchanged"] == 8


def test_add_indexes_single_files_without_sweeping(tmp_path, settings, tiny):
    archive = tmp_path / "archive"
    make_archive(archive, 2)
    run(settings, tiny, archive)
    extra = write_photo(tmp_path / "elsewhere" / "new.jpg", 50)
    report, conn = run(settings, tiny, extra, sweep=False)
    assert report.counts["embedded"] == 1 and report.counts["missing"] == 0
    assert catalog_counts(conn)["photos"] == 3


def test_a_new_model_embeds_side_by_side_and_switching_back_embeds_nothing(tmp_path, settings, tiny, models_dir):
    import torch

    from flux_ask.config import load_settings
    from flux_ask.embed import ModelSpec, load_embedder

    archive = tmp_path / "archive"
    make_archive(archive, 4)
    _, conn = run(settings, tiny, archive)
    first = active_model(conn)
    first_vectors = dict(vectors_by_content(conn, first))

    # a real local checkpoint of the tiny architecture with other weights
    checkpoint = tmp_path / "other.pt"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        import open_clip
        other_model = open_clip.create_model("tiny-test")
    torch.save(other_model.state_dict(), checkpoint)
    other = load_embedder(ModelSpec("tiny-test", weights=checkpoint), runtime="torch")
    other_settings = load_settings(settings.home, model="tiny-test", weights=checkpoint, batch_size=8)

    report, conn = run(other_settings, other, archive)
    assert report.counts["embedded"] == 4
    second = active_model(conn)
    assert second.id != first.id and second.pretrained.startswith("file:other.pt:")
    assert dict(vectors_by_content(conn, first)).keys() == first_vectors.keys()  # never wiped
    some = next(iter(first_vectors))
    assert not np.allclose(dict(vectors_by_content(conn, second))[some], first_vectors[some])

    report, conn = run(settings, tiny, archive)
    assert report.counts["embedded"] == 0
    assert active_model(conn).id == first.id
    assert catalog_counts(conn)["embedded"] == 4


def test_the_same_image_gives_the_same_vector_in_every_run(tmp_path, home, tiny, models_dir):
    from flux_ask.embed import ModelSpec, load_embedder

    pixels = np.random.default_rng(3).integers(0, 256, (2, 224, 224, 3), dtype=np.uint8)
    again = load_embedder(ModelSpec("tiny-test"), runtime="torch")
    assert np.allclose(tiny.encode_images(pixels), again.encode_images(pixels), atol=1e-5)
    text = tiny.encode_text(["umbrellas in fog", "wet pavement"])
    assert text.shape == (2, 64) and np.allclose(np.linalg.norm(text, axis=1), 1, atol=1e-5)


@pytest.mark.sqlite_only  # PostgreSQL commits a batch whole, vectors with rows
def test_a_batch_half_landed_across_the_two_files_is_repaired(tmp_path, settings, tiny):
    """What a kill between the two WAL commits leaves: a vector without its row, a row without its vector."""
    archive = tmp_path / "archive"
    make_archive(archive, 4)
    _, conn = run(settings, tiny, archive)
    model = active_model(conn)
    reference = dict(vectors_by_content(conn, model))
    lost = conn.execute("SELECT embedding_id FROM photos ORDER BY id LIMIT 1").fetchone()[0]
    with conn:
        conn.execute(f"DELETE FROM vec.{model.vec_table} WHERE rowid = ?", (lost,))
        conn.execute(f"INSERT INTO vec.{model.vec_table} (rowid, embedding) VALUES (999, ?)",
                     (np.ones(64, np.float32).tobytes(),))
        conn.execute("UPDATE runs SET status = 'running'")

    report, conn = run(settings, tiny, archive)

    assert report.repaired == {"orphan_vectors": 1, "lost_vectors": 1}
    assert report.counts["embedded"] == 1
    again = dict(vectors_by_content(conn, model))
    assert again.keys() == reference.keys()
    assert all(np.allclose(again[k], reference[k], atol=1e-5) for k in reference)
    assert conn.execute(f"SELECT count(*) FROM vec.{model.vec_table}").fetchone()[0] == 4
    assert conn.execute("SELECT status FROM runs ORDER BY id LIMIT 1").fetchone()[0] == "interrupted"


@pytest.mark.sqlite_only  # a PostgreSQL catalog takes several (test_postgres.py)
def test_one_writer_at_a_time(settings, tiny):
    from flux_ask.errors import CatalogError

    with Indexer(Archive(settings, create=True), embedder=tiny):
        with pytest.raises(CatalogError, match="another ingest"):
            Indexer(Archive(settings, create=True), embedder=tiny)
    with Indexer(Archive(settings, create=True), embedder=tiny):  # released on close
        pass


def test_detail_thumbnails_are_made_on_first_use(tmp_path, settings, tiny):
    from PIL import Image

    from flux_ask.picture.thumbs import detail_thumbnail

    archive = tmp_path / "archive"
    path = write_photo(archive / "big.jpg", 5, size=(3000, 2000), exif=exif_for(orientation=6))
    _, conn = run(settings, tiny, archive)
    (sha,) = conn.execute("SELECT sha256 FROM photos").fetchone()
    detail = detail_thumbnail(settings.thumbs_dir, sha, str(path), "image", 1024, settings.max_pixels)
    with Image.open(detail) as image:
        assert image.size == (683, 1024)  # upright: orientation 6 turns 3000x2000 portrait
    assert detail_thumbnail(settings.thumbs_dir, sha, str(path), "image", 1024, settings.max_pixels) == detail


def test_indexing_one_photo_in_process_keeps_the_indexer_at_full_priority(tmp_path, settings, tiny):
    before = os.nice(0)
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        for seed in (1, 2):
            report = indexer.index([write_photo(tmp_path / f"one-{seed}.jpg", seed)], sweep=False)
            assert report.counts["embedded"] == 1
    assert os.nice(0) == before


def test_a_name_that_is_not_utf8_is_catalogued_found_and_swept(tmp_path, settings, tiny):
    """Old copies from other systems have such names: they are stored and shown
    byte for byte, and block nothing after them."""
    root = tmp_path / "archive"
    make_archive(root, 3)
    bad = os.fsencode(str(root)) + b"/2015/bad\xff\xfename.jpg"
    shutil.copy(os.fsencode(str(root / "2015" / "img_0000.jpg")), bad)
    write_photo(root / "2015" / "z_after.jpg", seed=99)  # sorts after the bad name
    report, conn = run(settings, tiny, root)
    assert report.counts["errors"] == 0 and report.counts["files_seen"] == 5
    from flux_ask.db.files import files_under

    known = files_under(conn, str(root))
    assert os.fsdecode(bad) in known and str(root / "2015" / "z_after.jpg") in known
    again, _ = run(settings, tiny, root)
    assert again.counts["unchanged"] == 5
    os.unlink(bad)
    gone, conn = run(settings, tiny, root)
    assert gone.counts["missing"] == 1 and files_under(conn, str(root))[os.fsdecode(bad)].state == "missing"


def test_a_fifo_and_links_that_lead_nowhere_are_recorded_never_opened(tmp_path, settings, tiny):
    """A named pipe named as a photo would block a reader forever; a link in a loop or to
    nothing raises. Each is recorded with what it is, and the run goes on."""
    import os

    from flux_ask.db.files import error_files

    archive = tmp_path / "archive"
    make_archive(archive, 2)
    os.mkfifo(archive / "pipe.jpg")
    (archive / "loop.jpg").symlink_to("loop.jpg")
    (archive / "dangling.jpg").symlink_to("nowhere.jpg")
    with Indexer(Archive(settings, create=True), embedder=tiny) as indexer:
        report = indexer.index([archive])
    assert report.counts["embedded"] == 2
    found = {os.path.basename(e["path"]): e for e in error_files(Archive(settings).require().conn)}
    assert {k: v["reason"] for k, v in found.items()} == {"pipe.jpg": "not_a_file", "loop.jpg": "not_a_file",
                                                          "dangling.jpg": "not_a_file"}
    assert "named pipe" in found["pipe.jpg"]["detail"] and "symbolic link" in found["loop.jpg"]["detail"]
